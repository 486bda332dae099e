"""The addresses destek writes into emails and SMS: a case on the site, a case in the console.

One place builds them, so every notice points where the pages really are:

- the self-service site is static files (S3 + CloudFront, or the local stack's server):
  Turkish pages at its root, English ones under `/en/`; the case page is `case.html` and
  takes the case number as `?n=` (the number is what the customer reads in the notice, and
  `GET /cases/{id or number}` accepts it). A static host serves that address as it is: no
  rewrite in CloudFront, none in the local server.
- the agent console is one page the API serves at `/console`; its router reads the
  fragment (`#/case/<number>`), which never reaches the server, and `?lang=en` picks
  English.

An empty base address gives an empty link: the templates then leave the line out.
"""

from __future__ import annotations

from urllib.parse import quote

#: language -> the site's folder for it (the site's build writes the same folders)
SITE_FOLDERS = {"tr": "", "en": "en/"}


def site_case_url(site_url: str, language: str, number: str) -> str:
    """`<site>/case.html?n=2026-000001` (Turkish) or `<site>/en/case.html?n=…` (English)."""
    if not site_url:
        return ""
    folder = SITE_FOLDERS.get(language, "")
    return f"{site_url.rstrip('/')}/{folder}case.html?n={quote(number, safe='')}"


def console_url(console: str, language: str = "tr") -> str:
    """The console's page in the reader's language: `<api>/console` or `<api>/console?lang=en`."""
    if not console:
        return ""
    base = console.rstrip("/")
    return f"{base}?lang=en" if language == "en" else base


def console_case_url(console: str, language: str, number: str) -> str:
    """The console opened on one case: `<api>/console#/case/2026-000001`."""
    page = console_url(console, language)
    return f"{page}#/case/{quote(number, safe='')}" if page else ""


def site_rating_url(site_url: str, language: str, token: str, score: int | None = None) -> str:
    """The site's rating page for a signed rating token: `<site>/rate.html?t=<token>`
    (`/en/rate.html?…` in English); `score` pre-selects an answer (`&s=4`), which the page
    only shows: following a link never records an answer (mail scanners follow links)."""
    if not site_url or not token:
        return ""
    folder = SITE_FOLDERS.get(language, "")
    chosen = f"&s={score}" if score is not None else ""
    return f"{site_url.rstrip('/')}/{folder}rate.html?t={quote(token, safe='')}{chosen}"


def library_link_url(console: str, token: str) -> str:
    """A sent e-library document's link: `<api>/library/links/<token>` (the API serves the
    console at `<api>/console`, so its address names the API); destek answers it with a
    short-lived S3 link (api/library.py)."""
    if not console or not token:
        return ""
    base = console.rstrip("/").removesuffix("/console")
    return f"{base}/library/links/{quote(token, safe='')}"


def file_link_url(console: str, token: str) -> str:
    """A file sent with a reply, as its email links it: `<api>/files/links/<token>`, answered
    with a short-lived S3 link (api/cases.py `follow_file_link`); "" without an address."""
    if not console or not token:
        return ""
    base = console.rstrip("/").removesuffix("/console")
    return f"{base}/files/links/{quote(token, safe='')}"
