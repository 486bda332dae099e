"""Every channel into one pool, on the local stack: an email dropped where SES would store it, the
shop's signed order and shipment, and a social mention; the agent finds them in the pre-case
pool and on the customer 360, and turns the email into a case."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage

from standardwebhooks import Webhook

from devstack.seed import DEMO_SHOP_SECRET
from tests.support import unique_phone

from .conftest import ROOT, eventually


def signed_post(base: str, path: str, body: dict) -> tuple[int, dict]:
    """A call signed by the official Standard Webhooks library, as a shop's backend sends it."""
    data = json.dumps(body)
    msg_id, now = f"msg_{uuid.uuid4().hex}", datetime.now(tz=UTC)
    request = urllib.request.Request(base + path, data=data.encode(), method="POST")
    request.add_header("content-type", "application/json")
    request.add_header("webhook-id", msg_id)
    request.add_header("webhook-timestamp", str(int(now.timestamp())))
    request.add_header("webhook-signature", Webhook(DEMO_SHOP_SECRET).sign(msg_id, now, data))
    with urllib.request.urlopen(request, timeout=15) as response:
        return response.status, json.loads(response.read())


def test_email_shop_and_social_reach_the_pool_and_the_360(stack, http, tmp_path):
    tag = uuid.uuid4().hex[:6]
    number, address = f"E2E-{tag}", f"zeynep.{tag}@example.com"
    shop = "/integrations/demo-shop"
    status, made = signed_post(stack.url, f"{shop}/customers", {
        "customer_number": number, "name": "Zeynep Arslan", "email": address,
        "phone": unique_phone(),
        "category": "cod_approved", "membership_tier": "Altın"})  # fmt: skip
    assert status == 200, made
    assert signed_post(stack.url, f"{shop}/orders", {
        "order_id": f"O-{tag}", "customer_number": number, "placed_at": "2026-11-20T12:00:00+03:00",
        "status": "shipped", "lines": [{"sku": "FS-1", "name": "Fakir Starky", "quantity": 1,
                                        "unit_price": "3499.90"}]})[0] == 200  # fmt: skip
    shipped = signed_post(
        stack.url,
        f"{shop}/shipments",
        {
            "shipment_id": f"SH-{tag}",
            "order_id": f"O-{tag}",
            "customer_number": number,
            "carrier": "Aras Kargo",
            "tracking_number": f"AR{tag}TR",
            "status": "in_transit",
        },
    )
    assert shipped[0] == 200
    status, mention = signed_post(stack.url, f"{shop}/social-posts", {
        "platform": "instagram", "author_handle": f"zeynep{tag}", "customer_number": number,
        "text": "Kargom 5 gündür yolda, hiç memnun değilim", "posted_at": "2026-11-23T09:00:00Z",
        "url": f"https://instagram.example/p/{tag}"})  # fmt: skip
    assert status == 200 and mention["status"] == "pre_case", mention

    message = EmailMessage()
    message["From"] = f"Zeynep Arslan <{address}>"
    message["To"] = "destek@magaza.example"
    message["Subject"] = "Fatura talebi"
    message.set_content("Merhaba, siparişimin faturasını e-posta ile alabilir miyim?")
    message.add_attachment(b"%PDF-1.4 dekont", maintype="application", subtype="pdf",
                           filename="dekont.pdf")  # fmt: skip
    eml = tmp_path / "fatura.eml"
    eml.write_bytes(bytes(message))
    dropped = subprocess.run(
        [sys.executable, "-m", "devstack", "mail", "--moto-port", str(stack.moto_port), str(eml)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert dropped.returncode == 0, dropped.stderr

    agent = http("mehmet")

    def pooled(channel: str):
        status, page = agent.call("GET", f"/precases?channel={channel}&order=newest&limit=100")
        assert status == 200, page
        return [p for p in page["items"] if p["customer_id"] == made["customer_id"]]

    email_pre = eventually(lambda: pooled("email"))[0]  # the dispatcher fed the mail queue
    assert email_pre["subject"] == "Fatura talebi" and email_pre["sender"]["email"] == address
    assert [f["filename"] for f in email_pre["files"]] == ["dekont.pdf"]
    social_pre = pooled("social")[0]
    assert social_pre["post"]["url"].endswith(tag) and social_pre["mood"]["label"] == "negative"

    status, view = agent.call("GET", f"/customers/{made['customer_id']}/overview")
    assert status == 200
    assert view["flags"] == ["cod_approved"] and view["customer"]["membership_tier"] == "Altın"
    assert view["orders"][0]["shipments"][0]["tracking_number"] == f"AR{tag}TR"
    assert {p["channel"] for p in view["precases"]} == {"email", "social"}

    conversion = {"version": email_pre["version"], "type": "request"}
    status, converted = agent.call("POST", f"/precases/{email_pre['id']}/case", conversion)
    assert status == 201, converted
    assert converted["case"]["channel"] == "email"
    status, view = agent.call("GET", f"/customers/{made['customer_id']}/overview")
    assert [c["number"] for c in view["cases"]] == [converted["case"]["number"]]
    assert [p["channel"] for p in view["precases"]] == ["social"]
    status, case = agent.call("GET", f"/cases/{converted['case']['id']}")
    assert [a["filename"] for a in case["attachments"]] == ["dekont.pdf"]
