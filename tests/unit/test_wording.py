"""Words a Turkish reader misreads, kept out of the string files: each entry is a key, the
wrong wording a new user found, and why (the right wording lives in the files)."""

from __future__ import annotations

import json
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
