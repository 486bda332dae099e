"""The README and docs/ stay a map that works: every relative link lands on a file and, when
it names one, a heading; the README stays short; code points only to docs that exist."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCUMENTS = [README, *sorted((ROOT / "docs").glob("*.md"))]
README_MAX_LINES = 250

#: [text](target) and <img src="target">, outside code spans and fenced blocks
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)|<img [^>]*src=\"([^\"]+)\"")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
CODE_SPAN = re.compile(r"`[^`\n]*`")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip()).lower()
    text = "".join(c for c in text if c in " -" or unicodedata.category(c)[0] in "LNM")
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading's anchor; a repeated heading gets -1, -2, ... as on GitHub."""
    seen: dict[str, int] = {}
    found = set()
    for line in FENCE.sub("", path.read_text(encoding="utf-8")).splitlines():
        heading = re.match(r"#{1,6} +(.+?) *#*$", line)
        if not heading:
            continue
        base = slug(heading.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def relative_links(path: Path) -> list[str]:
    text = CODE_SPAN.sub("", FENCE.sub("", path.read_text(encoding="utf-8")))
    targets = [a or b for a, b in LINK.findall(text)]
    return [t for t in targets if not re.match(r"[a-z]+:", t)]  # http:, https:, mailto:


def shown(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def broken_links(path: Path) -> list[str]:
    broken = []
    for target in relative_links(path):
        file_part, _, anchor = target.partition("#")
        landing = (path.parent / file_part).resolve() if file_part else path
        if not landing.exists():
            broken.append(f"{target}: no file {shown(landing)}")
        elif anchor and landing.suffix == ".md" and anchor not in anchors(landing):
            broken.append(f"{target}: no heading #{anchor} in {shown(landing)}")
    return broken


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_lands_on_a_file_and_heading(document: Path) -> None:
    assert broken_links(document) == []


def test_the_checker_sees_a_broken_file_and_a_broken_anchor(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other\n\n## The AWS SDK: the runtime's, not ours\n")
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n[ok](other.md#the-aws-sdk-the-runtimes-not-ours) [self](#page)\n"
        "[gone](missing.md) [no heading](other.md#nowhere) [web](https://example.com)\n"
        "`[in code](nothing.md)`\n\n```\n[fenced](nothing.md)\n```\n"
    )
    assert [b.split(":")[0] for b in broken_links(page)] == ["missing.md", "other.md#nowhere"]


def test_github_anchors() -> None:
    assert slug("Data survives restarts, and a kill -9") == "data-survives-restarts-and-a-kill--9"
    assert slug("The shop's `webhook-id`") == "the-shops-webhook-id"
    assert slug("Ürünler ve İade") == "ürünler-ve-i̇ade"


def test_the_readme_is_for_people_running_destek_and_stays_short() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) < README_MAX_LINES
    commands = re.search(r"```sh\n(.*?)```", text, re.S)
    assert commands, "the README starts with its commands"
    first = [line.split()[1] for line in commands.group(1).splitlines()[:2]]
    assert first == ["run", "test"]  # the two commands, first
    for heading in ("## The local stack", "## Deploying to AWS", "## Dependencies, and why each"):
        assert heading in text


def test_every_shipped_dependency_is_explained_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8").lower()
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        name = re.split(r"[\s<>=\[;#]", line.strip(), maxsplit=1)[0]
        if name and not line.startswith("#"):
            assert f"**{name.lower()}" in text, f"{name} is shipped but not explained"


#: where code may point people: docs/<page>.md (optionally #heading), or a README.md by path
DOC_POINTER = re.compile(r"docs/([\w-]+\.md)(?:#([\w-]+))?")
README_POINTER = re.compile(r"[\w./-]*README\.md")
CODE = ("chalicelib", "devstack", "bench", "tests", "infra", "app.py", "Makefile")


def code_files() -> list[Path]:
    found = []
    for name in CODE:
        path = ROOT / name
        for file in [path] if path.is_file() else sorted(path.rglob("*")):
            inputs = "data" in file.relative_to(ROOT).parts  # test inputs, not pointers
            this = file == Path(__file__).resolve()  # its own examples are not pointers
            if file.suffix in (".py", ".yaml", "") and file.is_file() and not inputs and not this:
                found.append(file)
    return found


def bad_pointers(path: Path) -> list[str]:
    """Pointers to a doc that is not there, and mentions of a README without its path
    (`.README` files of the mail cases are inputs, not documents)."""
    bad = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{shown(path)}:{number}"
        for page, anchor in DOC_POINTER.findall(line):
            target = ROOT / "docs" / page
            if not target.exists():
                bad.append(f"{where}: docs/{page}")
            elif anchor and anchor not in anchors(target):
                bad.append(f"{where}: docs/{page}#{anchor}")
        if re.search(r"(?<![.\w])README", line):
            named = README_POINTER.findall(line)
            if not named:
                bad.append(f"{where}: names a README without its path")
            for readme in named:
                if not ((ROOT / readme).exists() or (path.parent / readme).exists()):
                    bad.append(f"{where}: {readme}")
    return bad


def test_code_points_only_to_docs_that_exist() -> None:
    assert [bad for path in code_files() for bad in bad_pointers(path)] == []


def test_the_pointer_check_sees_a_missing_doc_and_a_bare_readme(tmp_path: Path) -> None:
    path = tmp_path / "probe.py"
    path.write_text(
        '"""see docs/nowhere.md, docs/operations.md#alarms, docs/api.md#no-such,\n'
        "chalicelib/store/README.md, a mail case's .README,\n"
        'the README"""\n'
    )
    assert [b.split(": ", 1)[1] for b in bad_pointers(path)] == [
        "docs/nowhere.md", "docs/api.md#no-such", "names a README without its path"
    ]  # fmt: skip


def test_every_signed_route_is_in_integrations_md() -> None:
    """docs/integrations.md lists the shop's calls by their last path segment."""
    import app  # noqa: F401 - registers every route
    from chalicelib.api.endpoint import ROUTES

    text = (ROOT / "docs" / "integrations.md").read_text(encoding="utf-8")
    signed = [r.path for r in ROUTES if r.audience == "integration"]
    assert len(signed) >= 12
    assert [p for p in signed if f"`{p.rsplit('/', 1)[1]}`" not in text] == []
