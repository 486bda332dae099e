"""The site calls the API from its own origin: preflights pass, and every answer, a refusal
included, tells the browser it may read it."""

from __future__ import annotations


def test_answers_and_refusals_name_the_site_as_allowed(api, aws_env):
    site = aws_env["SITE_URL"]
    for path, status in (("/health", 200), ("/my/cases", 401)):
        response = api.client.http.get(path, headers={"origin": site})
        assert response.status_code == status
        assert response.headers["Access-Control-Allow-Origin"] == site


def test_the_origin_is_the_sites_own(monkeypatch):
    from chalicelib.api.cors import cors_policy, site_origin

    assert site_origin("https://destek.example.com/tr/index.html") == "https://destek.example.com"
    assert site_origin("") is None and site_origin("javascript:alert(1)") is None
    monkeypatch.setenv("SITE_URL", "http://127.0.0.1:9999/")
    assert cors_policy().allow_origin == "http://127.0.0.1:9999"
    monkeypatch.delenv("SITE_URL")
    assert cors_policy().allow_origin == "*"
