"""Error reports are capped where they are made and summarised when still too large."""

from chalicelib.domain.reports import cut_utf8, problems_of, size_of, summarised


def test_cut_utf8_counts_bytes_and_never_splits_a_character():
    assert cut_utf8("ğüşiöç", 100) == "ğüşiöç"
    cut = cut_utf8("😀" * 10, 13)
    assert cut == "😀" * 2 + "…" and len(cut.encode()) <= 13


def test_problems_are_capped_and_the_rest_counted():
    errors = [{"loc": ("items", n, "x"), "msg": "Extra inputs are not permitted",
               "type": "extra_forbidden"}
              for n in range(45)]  # fmt: skip
    shown = problems_of(errors, limit=20)
    assert len(shown) == 21 and shown[0] == {
        "field": "items.0.x",
        "problem": "Extra inputs are not permitted",
        "type": "extra_forbidden",
    }
    assert shown[-1] == {"field": "", "problem": "more problems not shown", "omitted": 25}
    assert problems_of(errors[:3]) == problems_of(errors[:3], limit=3)
    long = problems_of([{"loc": ("ş" * 500,), "msg": "m" * 5000}])[0]
    assert len(long["field"].encode()) <= 200 and len(long["problem"].encode()) <= 300


def test_a_report_that_fits_is_untouched():
    answer = {"created": 1, "items": [{"status": "created"}]}
    assert summarised(answer, 1000, "k") is answer


def test_a_large_report_loses_details_first_then_items_and_says_where_the_whole_is():
    error = {
        "code": "invalid_input",
        "message": "invalid fields",
        "details": [{"field": f"f{n}", "problem": "p" * 50} for n in range(20)],
    }
    answer = {"created": 0, "refused": 30, "items": [{"status": "refused", "error": error}] * 30}
    slim = summarised(answer, 5_000, "reports/x.json")
    assert size_of(slim) <= 5_000 and slim["refused"] == 30 and len(slim["items"]) == 30
    assert slim["items"][0]["error"]["details"] == [
        {"field": "", "problem": "not shown", "omitted": 20}]  # fmt: skip
    assert slim["report"] == {"complete": False, "archived": "reports/x.json"}
    counts = summarised(answer, 300, None)
    assert counts["items"] == [] and counts["items_omitted"] == 30 and counts["refused"] == 30
    assert size_of(counts) <= 300
