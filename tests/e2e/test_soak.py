"""`make soak`'s machinery, briefly: ten seconds of the mixed workload with every fault on,
and the run must say what it did and find nothing wrong (bench/soak.py)."""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import ROOT


def test_a_short_soak_with_faults_answers_no_5xx_loses_nothing_and_sends_nothing_twice(tmp_path):
    figures_file = tmp_path / "soak.json"
    done = subprocess.run(
        # at least 20 cases, however slow the machine: enough notices for the SES throttle
        [sys.executable, "-m", "bench.soak", "--seconds", "10", "--min-cases", "20",
         "--settle", "150", "--json", str(figures_file)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert figures_file.exists(), done.stdout + done.stderr[-3000:]
    figures = json.loads(figures_file.read_text())
    report = done.stdout + done.stderr[-3000:]
    assert figures["requests"] > 20, report
    assert figures["server_errors"] == 0 and figures["connection_errors"] == 0, report
    assert figures["cases_created"] > 0, report
    assert figures["cases_found"] == figures["cases_created"], report
    assert figures["precases_found"] == figures["precases_created"] > 0, report
    assert figures["mails_taken"] == figures["mails_in"] > 0, report
    assert figures["duplicates"] == 0, report
    assert figures["notices_decided"] > 0, report
    # the faults did fire: the figures above held under them, not beside them
    fired = figures["faults"]
    assert any(k.startswith("duplicate:") for k in fired), fired
    assert any(k.startswith("handler_failure:") for k in fired), fired
    assert fired.get("ses_throttled", 0) > 0, fired
    assert figures["ok"] and done.returncode == 0, report
