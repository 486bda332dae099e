"""The admin screens save through one handler, the frame's `submit` (console.js): a write,
then the screen drawn again; a version conflict redraws and says so; any other refusal is
marked on the form's fields. admin.js asks it to read the names again (`reloadNames`), the
admin modules (adminUi) do not. Read from the files the console serves: no browser."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "templates" / "console" / "static"
#: the admin screens and the modules of the admin tabs that are modules of their own
ADMIN = ["admin.js", "catalog_admin.js", "customer_flags.js", "tags_fields.js", "learning.js",
         "sla_preview.js"]  # fmt: skip


def test_the_frame_has_the_one_submit_and_hands_it_to_both():
    frame = (STATIC / "console.js").read_text(encoding="utf-8")
    assert "function submit(run, message, { reloadNames = false } = {})" in frame
    assert re.search(r"const adminUi = \(\) => \(\{[^}]*\bsubmit\b", frame)  # the modules'
    assert re.search(r"const frameUi = \(\) => \(\{[^}]*\bsubmit\b", frame, re.S)  # admin.js's
    admin = (STATIC / "admin.js").read_text(encoding="utf-8")
    assert "submit(run, message, { reloadNames: true })" in admin


def test_no_admin_module_handles_a_write_of_its_own():
    """A second copy of the handler (conflict → redraw, else mark the fields) is what this
    replaced: none of the admin modules tells a version conflict apart itself."""
    found = [n for n in ADMIN if "version_conflict" in (STATIC / n).read_text(encoding="utf-8")]
    assert found == []
