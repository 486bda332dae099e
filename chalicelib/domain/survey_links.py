"""The site's addresses of a survey and of an opt-out, for a signed token."""

from __future__ import annotations

from .links import SITE_FOLDERS


def survey_url(site_url: str, language: str, token: str) -> str:
    """`<site>/survey.html?t=<token>` (Turkish) or `<site>/en/survey.html?t=…`."""
    return _page(site_url, language, "survey.html", token)


def opt_out_url(site_url: str, language: str, token: str) -> str:
    """`<site>/opt-out.html?t=<token>`: one button that withdraws the consent (a GET of the
    page changes nothing, so a mail scanner following it does no harm)."""
    return _page(site_url, language, "opt-out.html", token)


def _page(site_url: str, language: str, page: str, token: str) -> str:
    if not site_url:
        return ""
    return f"{site_url.rstrip('/')}/{SITE_FOLDERS.get(language, '')}{page}?t={token}"
