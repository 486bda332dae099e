"""Words a Turkish reader misreads, kept out of the string files: each entry is a key, the
wrong wording a new user found, and why (the right wording lives in the files)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "templates"

#: (strings file, key, wrong words, why)
MISREADINGS = [
    ("console/strings/tr.json", "customer_category_banned", "Engelli",
     "'Engelli' means a disabled person; a banned customer is 'Yasaklı'"),
    ("console/strings/tr.json", "flag_banned", "ENGELLİ", "as above, on the case's flag"),
    ("console/strings/tr.json", "survey_dim_case_channel", "Kayıt kanalı",
     "a case is a 'talep' on every other screen"),
    ("console/strings/tr.json", "survey_res_choice", "Ölçü", "the column lists the choices"),
    ("console/strings/tr.json", "survey_res_figure", "Ölçü",
     "the export's column names a figure (mean, share…): 'Gösterge'"),
    ("console/strings/tr.json", "report_col_agent_csat_responses", "Temsilcinin aldığı puanlar",
     "reads as scores the agent was given; they are scores agents recorded by phone"),
    ("console/strings/en.json", "report_col_agent_csat_responses", "Scores taken by agents",
     "as above"),
    ("console/strings/en.json", "error_version_conflict",
     "This record changed after you read it; the current one is loaded, try again.",
     "whatever was edited changed, not a 'record' (the Turkish said 'kayıt', read as a case)"),
    ("console/strings/en.json", "error_conflict", "This record cannot be changed as it stands.",
     "as above"),
    ("site/strings/en.json", "error_conflict", "This record cannot be changed as it stands.",
     "as above"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "key", "wrong", "why"), MISREADINGS)
def test_no_misleading_wording(path, key, wrong, why):
    strings = json.loads((ROOT / path).read_text(encoding="utf-8"))
    assert key in strings
    assert strings[key] != wrong, why


def test_banned_is_nowhere_called_disabled():
    for path in ROOT.glob("**/*.json"):
        text = path.read_text(encoding="utf-8")
        assert "Engelli" not in text and "ENGELLİ" not in text, path


# ---- one Turkish word per concept (docs/console-and-site.md): a case is a "talep", the
# supervisor role a "yönetici", the admin role a "sistem yöneticisi", as the role names say

#: words retired for good: what a new user found meaning the same as a kept word
RETIRED = {
    r"\bvaka": "a case is a 'talep'",
    r"süpervizör": "the supervisor role is 'yönetici' (role_supervisor)",
    r"\{\w+\} kay(ıt|da|dın)\b": "cases counted are 'talep' ({n} talep), not 'kayıt'",
    r"\b(seçili|sonraki|önceki) kay(ıt|d)": "a case on a list is a 'talep'",
    # a refusal about whatever the reader was editing (a case, a rule, a group...): "kayıt"
    # read as a case; "Bu içerik" says any of them
    r"\bbu kayıt\b": "a conflict names what changed generally ('Bu içerik'), not 'kayıt'",
}


def turkish_files() -> list[Path]:
    """Every Turkish text a person reads: the strings files and the message templates."""
    files = list(ROOT.glob("**/tr.json"))
    files += [p for p in (ROOT / "messages" / "tr").iterdir() if p.is_file()]
    assert len(files) > 10
    return files


@pytest.mark.parametrize("pattern", sorted(RETIRED))
def test_retired_words_stay_out_of_the_turkish_files(pattern):
    found = [
        (path.relative_to(ROOT).as_posix(), line.strip()[:80])
        for path in turkish_files()
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.search(pattern, line, re.IGNORECASE)
    ]
    assert found == [], RETIRED[pattern]


ROLE_REFUSALS = {
    "supervisor": ["error_shared_macro", "error_shared_view"],
    "admin": ["error_cannot_revoke_yourself", "error_account_disabled", "error_links_unavailable"],
}


@pytest.mark.parametrize("folder", ["console", "site"])
def test_refusals_name_the_role_by_its_own_name(folder):
    """The supervisor role reads "yönetici" and the admin role "sistem yöneticisi": a refusal
    saying only supervisors (or only admins) may do something uses those very words."""
    roles = json.loads((ROOT / "console/strings/tr.json").read_text(encoding="utf-8"))
    supervisor, admin = roles["role_supervisor"], roles["role_admin"].removesuffix("si")
    assert (supervisor, admin) == ("yönetici", "sistem yönetici")
    strings = json.loads((ROOT / folder / "strings/tr.json").read_text(encoding="utf-8"))
    for key in ROLE_REFUSALS["supervisor"]:
        assert supervisor in strings[key] and admin not in strings[key], key
    for key in ROLE_REFUSALS["admin"]:
        assert admin in strings[key], key


def test_no_demo_staff_member_is_named_as_a_role():
    """The seeded admin was named "Yönetici", the supervisor role's own word: a demo name that
    is a role's word is the word of the person's own role ("Sistem Yöneticisi", the admin)."""
    from devstack.seed import STAFF

    strings = json.loads((ROOT / "console/strings/tr.json").read_text(encoding="utf-8"))
    roles = {k[5:]: v.casefold() for k, v in strings.items() if k.startswith("role_")}
    misnamed = [
        (name, role)
        for _, name, role, _ in STAFF
        if name.casefold() in roles.values() and name.casefold() != roles[role]
    ]
    assert misnamed == []
