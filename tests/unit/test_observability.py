"""Tracing is on inside Lambda only, and then each request is an annotated subsegment."""

from chalicelib import observability


def test_tracing_is_off_outside_lambda(monkeypatch):
    monkeypatch.delenv("LAMBDA_TASK_ROOT", raising=False)
    assert not observability.tracing_on()
    with observability.traced("## GET /x", route="/x"):
        pass  # no X-Ray, no error


def test_tracing_can_be_switched_off_in_lambda(monkeypatch):
    monkeypatch.setenv("LAMBDA_TASK_ROOT", "/var/task")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    assert not observability.tracing_on()


class RecordingEmitter:
    """Stands where the X-Ray daemon's UDP emitter stands; keeps what would be sent."""

    def __init__(self) -> None:
        self.sent = []

    def send_entity(self, entity) -> None:
        self.sent.append(entity)

    def set_daemon_address(self, address) -> None:
        pass

    @property
    def ip(self):
        return "127.0.0.1"

    @property
    def port(self):
        return 2000


def test_request_becomes_an_annotated_subsegment(monkeypatch):
    from aws_xray_sdk.core import lambda_launcher, xray_recorder

    monkeypatch.setenv("LAMBDA_TASK_ROOT", "/var/task")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "false")
    monkeypatch.setenv(
        "_X_AMZN_TRACE_ID",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
    )
    emitter = RecordingEmitter()
    saved_context, saved_emitter = xray_recorder.context, xray_recorder.emitter
    xray_recorder.configure(
        context=lambda_launcher.LambdaContext(), emitter=emitter, sampling=False
    )
    from aws_lambda_powertools import Tracer

    # the app's tracer also patches botocore process-wide; keep that out of this test process
    monkeypatch.setattr(observability, "tracer", lambda: Tracer(service="t", auto_patch=False))
    try:
        assert observability.tracing_on()
        with observability.traced("## GET /cases", route="/cases", method="GET"):
            pass
        sent = {entity.name: entity for entity in emitter.sent}
        assert "## GET /cases" in sent
        assert sent["## GET /cases"].annotations == {"route": "/cases", "method": "GET"}
    finally:
        xray_recorder.configure(context=saved_context, emitter=saved_emitter)
