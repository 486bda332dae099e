"""A standard report as a file: `GET /reports/{name}/export?format=csv|xlsx&lang=tr|en&from&to&by`.

Supervisors and admins (`reports:read`). The answer is the file itself, as an attachment:
CSV as UTF-8 text with a byte order mark, XLSX as binary (base64 to API Gateway, whose
binary media types app.py extends with the XLSX type; the client's first `Accept` must
name that type or `*/*`, as a browser's download and `fetch` do). What the file holds:
docs/report-exports.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from chalice import Blueprint, Response

from .. import wiring
from ..domain.errors import BadRequest, NotFound, PayloadTooLarge
from ..domain.permissions import Action, Resource
from ..domain.report_table import ReportName
from ..messaging.report_files import CSV_TYPE, XLSX_TYPE
from .endpoint import FileAnswer, endpoint
from .reports import ReportQuery

if TYPE_CHECKING:
    from ..domain.caller import Caller

bp = Blueprint(__name__)
#: a Lambda's answer is at most 6 MB (6,291,456 bytes), and the XLSX goes out in base64
#: (4 bytes for 3): the largest file each format can be answered with, its headers aside
MAX_FILE_BYTES = {"csv": 6_000_000, "xlsx": 4_500_000}


class ExportQuery(ReportQuery):
    """A report's query (`ReportQuery`: the period, up to two dimensions, checked with the
    reports' codes) and the file's format and the language of its words."""

    format: Literal["csv", "xlsx"] = "csv"
    lang: Literal["tr", "en"] = "tr"


def accepts(accept: str | None, content_type: str) -> bool:
    """Whether an Accept header lets a binary `content_type` through Chalice (which refuses
    a binary answer to a request that names no binary type, or none at all)."""
    if not accept:
        return False
    kinds = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    return content_type in kinds or "*/*" in kinds


@endpoint(
    bp, "/reports/{name}/export",
    permission=(Resource.REPORTS, Action.READ), query=ExportQuery,
    response=FileAnswer((CSV_TYPE.split(";")[0], XLSX_TYPE)),
)  # fmt: skip
def export_report(caller: Caller, name: str, query: ExportQuery) -> Response:
    """Download a standard report (sla, volume, backlog, agents, topics, products) as a file.

    CSV or XLSX, with headers and names in the language asked for (docs/report-exports.md).
    """
    try:
        report = ReportName(name)
    except ValueError:
        raise NotFound(f"no report {name!r}",
                       details={"reports": [r.value for r in ReportName]}) from None  # fmt: skip
    by = query.dimensions()
    if query.format == "xlsx" and not accepts(bp.current_request.headers.get("accept"), XLSX_TYPE):
        raise BadRequest(f"an XLSX file needs 'Accept: {XLSX_TYPE}' (or */*)")
    file = wiring.report_exports().export(
        report, query.start, query.end, by, query.format, query.lang
    )
    limit = MAX_FILE_BYTES[query.format]
    if len(file.body) > limit:
        raise PayloadTooLarge(
            f"the file would be {len(file.body)} bytes, over the {limit} a download may be; "
            "ask for a shorter period or fewer dimensions",
            details={"bytes": len(file.body), "limit": limit},
        )
    body: bytes | str = file.body
    if query.format == "csv":
        body = file.body.decode("utf-8")  # text: API Gateway passes it through as UTF-8
    return Response(
        body=body,
        status_code=200,
        headers={
            "Content-Type": file.content_type,
            "Content-Disposition": f'attachment; filename="{file.filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
