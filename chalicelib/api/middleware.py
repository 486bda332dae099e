"""Per-request observability and error shape, around every route.

Correlation id: the caller's `x-correlation-id` if given, else API Gateway's
request id; it is on every log line of the request and echoed back.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from ..observability import logger, metrics, traced
from .errors import reshape

if TYPE_CHECKING:
    from chalice import Chalice


def install(app: Chalice) -> None:
    @app.middleware("http")
    def observe(event: Any, get_response: Any) -> Any:
        context = event.context or {}
        correlation_id = (
            event.headers.get("x-correlation-id") or context.get("requestId") or str(uuid.uuid4())
        )
        logger.set_correlation_id(correlation_id)
        logger.append_keys(method=event.method, route=context.get("resourcePath"))
        route = context.get("resourcePath") or ""
        try:
            with traced(f"## {event.method} {route}", route=route, method=event.method):
                response = reshape(get_response(event))
        finally:
            if metrics.metric_set:
                metrics.flush_metrics()
        response.headers["x-correlation-id"] = correlation_id
        logger.info("request", status=response.status_code)
        logger.remove_keys(["method", "route"])
        return response
