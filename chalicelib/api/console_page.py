"""The console's one HTML page: its strings, its Cognito settings and a strict CSP.

The console is served by the API itself, so its calls to the API are same-origin
and need no CORS; Cognito (sign-in) and the attachments bucket (files go to and come from
S3 through presigned forms and links) are the other origins. Every text the
console shows comes from the API as data and reaches the page through
textContent, never as markup.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

from ..config import settings

#: <app dir>/templates: the repository's folder, or vendor/templates in the Lambda package
ROOT = Path(__file__).resolve().parents[2] / "templates" / "console"
LANGUAGES = ("tr", "en")
#: what /console/<name> serves: the style sheet and every ES module of templates/console/static/
#: (the frame, console.js, and a module per screen, some fetched only when their screen is
#: first opened; docs/console-and-site.md), read from the folder so a new screen's module is
#: served as it is added. Chart.js 4.6.1 is among them as npm ships it (dist/chart.umd.min.js,
#: MIT: chart.LICENSE.md). Nothing else is: the licence file and a path outside answer 404.
JS = "text/javascript; charset=utf-8"
ASSETS = {
    "console.css": "text/css; charset=utf-8",
    **{module.name: JS for module in sorted((ROOT / "static").glob("*.js"))},
}

#: the front-end library the console shares with the site (templates/shared/static/): served
#: at /console/shared/<name>, so console.js imports "./shared/<name>" as site.js does
SHARED = ROOT.parent / "shared" / "static"
SHARED_ASSETS = {module.name: JS for module in SHARED.glob("*.js")}


def cognito_endpoint() -> str:
    s = settings()
    return s.cognito_jwks_endpoint or f"https://cognito-idp.{s.region}.amazonaws.com/"


def browser_config() -> dict[str, str | int]:
    s = settings()
    return {
        "region": s.region,
        "userPoolId": s.staff_pool_id,
        "clientId": s.staff_client_ids.split(",")[0].strip(),
        "cognitoEndpoint": cognito_endpoint(),
        "viewPageSize": s.view_page_size,
    }


def origin(url: str) -> str:
    """`https://host:port` of a URL."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def file_origins() -> str:
    """Where the attachments bucket's presigned forms and links point: the local stack's S3
    (AWS_ENDPOINT_URL, which boto3 reads too), or the bucket's virtual-hosted addresses,
    global and regional (botocore picks one by region)."""
    local = os.environ.get("AWS_ENDPOINT_URL")
    if local:
        return origin(local)
    s = settings()
    bucket = s.attachments_bucket
    return f"https://{bucket}.s3.amazonaws.com https://{bucket}.s3.{s.region}.amazonaws.com"


def content_security_policy() -> str:
    """Scripts and styles from the API only; calls to the API, Cognito (sign-in) and S3
    (files go straight to the bucket: kb.js, library.js, case_files.js); images from the API
    and S3, and a PDF's preview framed from S3 (docs/files-and-cc.md)."""
    files = file_origins()
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' data: {files}; frame-src {files}; "
        f"connect-src 'self' {origin(cognito_endpoint())} {files}; form-action 'self'; "
        "base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
    )


def _script_json(data: dict) -> str:
    """JSON safe inside a <script> element: nothing in it can close the element."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@lru_cache(maxsize=2)
def page(lang: str) -> str:
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(ROOT)), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )  # fmt: skip
    strings = json.loads((ROOT / "strings" / f"{lang}.json").read_text(encoding="utf-8"))
    return env.get_template("console.html.j2").render(
        t=strings,
        lang=lang,
        other_lang=next(x for x in LANGUAGES if x != lang),
        strings_json=Markup(_script_json(strings)),
        config_json=Markup(_script_json(browser_config())),
    )


@lru_cache(maxsize=len(ASSETS))
def asset(name: str) -> str:
    return (ROOT / "static" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=len(SHARED_ASSETS) or 1)
def shared_asset(name: str) -> str:
    return (SHARED / name).read_text(encoding="utf-8")
