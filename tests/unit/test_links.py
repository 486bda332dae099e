"""The addresses notices carry: the site's case page per language, the console's case screen."""

from chalicelib.domain.links import console_case_url, console_url, site_case_url


def test_the_site_case_page_in_each_language_with_the_number():
    assert site_case_url("https://d.example/", "tr", "2026-000001") == (
        "https://d.example/case.html?n=2026-000001"
    )
    assert site_case_url("https://d.example", "en", "2026-000001") == (
        "https://d.example/en/case.html?n=2026-000001"
    )


def test_the_console_case_screen_in_each_language():
    assert console_case_url("https://a.example/api/console", "tr", "2026-000001") == (
        "https://a.example/api/console#/case/2026-000001"
    )
    assert console_case_url("http://127.0.0.1:8000/console/", "en", "2026-000001") == (
        "http://127.0.0.1:8000/console?lang=en#/case/2026-000001"
    )
    assert console_url("https://a.example/api/console", "en") == (
        "https://a.example/api/console?lang=en"
    )


def test_no_base_address_gives_no_link():
    assert site_case_url("", "tr", "2026-000001") == ""
    assert console_case_url("", "tr", "2026-000001") == ""
