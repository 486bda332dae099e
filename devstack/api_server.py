"""`chalice local`'s server, made to answer as API Gateway in front of destek does.

chalice local differs from the deployed API in ways a client sees:

- it knows seven HTTP methods and answers any other (TRACE, QUERY, ...) with its own HTML
  501; here every method reaches the app, which refuses what a route does not take (405);
- it matches a greedy `{proxy+}` route against one path segment only, so `/a/b` found no
  route and got chalice's own 403 `{"message": "Missing Authentication Token"}` outside
  destek's error shape and rate limit; API Gateway sends every path no other route takes,
  at any depth, to `/{proxy+}` (destek's JSON 404, rate limited);
- http.server's own refusals (a header line over 64 KiB or over 100 headers: 431; a request
  line too long: 414; a malformed request: 400) were HTML pages; here they are destek's
  `{"error": {"code", "message", "details"}}` with the same status.
"""

from __future__ import annotations

import functools
import json
import os
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlparse

from .backlog import deepen

#: machine codes for the refusals http.server makes before any route runs
HTTP_SERVER_CODES = {
    400: "bad_request",
    408: "request_timeout",
    413: "payload_too_large",
    414: "uri_too_long",
    431: "headers_too_large",
    505: "http_version_not_supported",
}


def greedy_matcher(routes: list[str]) -> Any:
    """A chalice RouteMatcher that also matches `{name+}` routes at any depth, as API Gateway:
    a concrete or one-segment route wins, then the greedy route with the longest prefix."""
    from chalice.local import MatchResult, RouteMatcher

    greedy = [r for r in routes if r.endswith("+}")]
    greedy.sort(key=lambda r: len(r.rsplit("/", 1)[0]), reverse=True)

    class GreedyRouteMatcher(RouteMatcher):
        def match_route(self, url: str) -> Any:
            try:
                return super().match_route(url)
            except ValueError:
                pass
            parsed = urlparse(url)
            path = parsed.path.rstrip("/") or "/"
            query = parse_qs(parsed.query, keep_blank_values=True)
            for route in greedy:
                prefix, name = route.rsplit("/", 1)
                if path == "/" and not prefix:  # no route for the root: unknown as any other
                    return MatchResult(route, {name[1:-2]: ""}, query)
                if path.startswith(prefix + "/"):
                    return MatchResult(route, {name[1:-2]: path[len(prefix) + 1 :]}, query)
            raise ValueError(f"No matching route found for: {url}")

    return GreedyRouteMatcher(routes)


def handler_class(app_object: Any) -> type:
    from chalice.local import ChaliceRequestHandler, LambdaEventConverter, LocalGateway

    from chalicelib.api.errors import error_body

    matcher = greedy_matcher(list(app_object.routes))

    class Handler(ChaliceRequestHandler):
        def __init__(self, request: Any, client_address: Any, server: Any, **kw: Any) -> None:
            # ChaliceRequestHandler's __init__, with API Gateway's matching of greedy routes;
            # BaseHTTPRequestHandler's __init__ handles the request, so this comes first
            gateway = LocalGateway(kw["app_object"], kw["config"])
            gateway.event_converter = LambdaEventConverter(matcher, app_object.api.binary_types)
            self.local_gateway = gateway
            super(ChaliceRequestHandler, self).__init__(request, client_address, server)

        def __getattr__(self, name: str) -> Any:
            if name.startswith("do_"):
                return self._generic_handle
            raise AttributeError(name)

        def _generic_handle(self) -> None:
            length = self.headers.get("content-length", "0").strip()
            if not length.isdigit():  # chalice would raise and drop the connection unanswered
                self.send_error(400, "Content-Length must be a number of bytes")
                return
            super()._generic_handle()

        # chalice binds its seven do_ methods to its own _generic_handle; these use the above
        do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle

        def send_error(self, code: int, message: str | None = None, explain: str | None = None):
            """http.server's refusals in destek's error shape instead of its HTML page."""
            status = HTTPStatus(code)
            fallback = "bad_request" if code < 500 else "internal_error"
            body = json.dumps(
                error_body(HTTP_SERVER_CODES.get(code, fallback), message or status.phrase)
            ).encode()
            self.close_connection = True
            self.send_response(code, status.phrase)
            self.send_header("Content-Type", "application/json")
            self.send_header("Connection", "close")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if getattr(self, "command", None) != "HEAD":
                self.wfile.write(body)

    return Handler


def start_api(app_module: Any, host: str, port: int) -> Any:
    """chalice local's server for the app on host:port, listening (call serve_forever)."""
    from chalice.cli.factory import CLIFactory
    from chalice.local import create_local_server

    root = os.path.dirname(os.path.abspath(app_module.__file__))
    config = CLIFactory(project_dir=root).create_config_obj(chalice_stage_name="dev")
    server = create_local_server(app_module.app, config, host, port)
    http = server.server
    http.RequestHandlerClass = functools.partial(
        handler_class(app_module.app), **http.RequestHandlerClass.keywords
    )
    deepen(http.socket)
    return server
