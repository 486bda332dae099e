"""The assistant, measured (bench/assistant.py): every scripted conversation of
tests/data/assistant/ through the API on this worker's moto stack, with floors on the share
answered correctly and no conversation revealing another customer's data."""

from __future__ import annotations

from bench import assistant as bench

#: the share of the scripts answered exactly as expected (facts, or hand-off), at least
CORRECT_FLOOR = 0.9
#: the share finished without an agent: the scripts hand over about a quarter on purpose
WITHOUT_AGENT_FLOOR = 0.55


def test_the_scripted_conversations_meet_their_floors_and_leak_nothing(aws_env, api):
    scripts = bench.scripts()
    assert len(scripts) >= 80
    assert {s.lang for s in scripts} == {"tr", "en"}
    assert {s.who for s in scripts} == {"visitor", "signed_in", "signed_in_late"}
    result = bench.run(aws_env, api, scripts)
    missed = "\n".join(bench.misses(result))
    assert result.leaks == 0, missed
    assert result.correct >= CORRECT_FLOOR, missed
    assert result.without_agent >= WITHOUT_AGENT_FLOOR, missed
