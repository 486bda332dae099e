"""The agent console, served by the API itself: one page and its script and style."""

from __future__ import annotations

from typing import Literal

from chalice import Blueprint, Response

from ..domain.errors import NotFound
from ..domain.model import Model
from . import console_page
from .endpoint import endpoint

bp = Blueprint(__name__)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


class ConsoleQuery(Model):
    lang: Literal["tr", "en"] = "tr"


@endpoint(bp, "/console", audience="public", rate_limit=120, query=ConsoleQuery)
def console(caller: None, query: ConsoleQuery) -> Response:
    """The console's page (Turkish, or English with ?lang=en); it signs staff in itself."""
    return Response(
        body=console_page.page(query.lang),
        status_code=200,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Content-Security-Policy": console_page.content_security_policy(),
            "Cache-Control": "no-store",
            **SECURITY_HEADERS,
        },
    )


@endpoint(bp, "/console/{asset}", audience="public", rate_limit=600)
def console_asset(caller: None, asset: str) -> Response:
    """The console's script and style sheet."""
    if asset not in console_page.ASSETS:
        raise NotFound("no such file")
    return _static(console_page.asset(asset), console_page.ASSETS[asset])


@endpoint(bp, "/console/shared/{asset}", audience="public", rate_limit=600)
def console_shared_asset(caller: None, asset: str) -> Response:
    """A module of the library the console shares with the site (templates/shared/static/)."""
    if asset not in console_page.SHARED_ASSETS:
        raise NotFound("no such file")
    return _static(console_page.shared_asset(asset), console_page.SHARED_ASSETS[asset])


def _static(body: str | bytes, content_type: str) -> Response:
    """A static file of the console: revalidated on every load (`no-cache`), so a deploy's
    new script is never mixed with an old one."""
    headers = {"Content-Type": content_type, "Cache-Control": "no-cache", **SECURITY_HEADERS}
    return Response(body=body, status_code=200, headers=headers)
