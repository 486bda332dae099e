"""Notices through the real notify queue, delivered by SES and SNS (moto), recorded on the case."""

from .conftest import open_case


def test_customer_and_group_hear_about_a_new_case(as_role, drain_routing, drain_notify, mailbox):
    agent = as_role("agent")
    case = open_case(agent, customer={"email": "fatma@example.com"}, subject="Faturam yanlış")
    drain_routing()
    drain_notify()
    emails = mailbox()["emails"]
    to_customer = [
        m for m in emails if m["to"] == ["fatma@example.com"] and case["number"] in m["subject"]
    ]
    assert [m["subject"] for m in to_customer] == [f"Talebiniz alındı: {case['number']}"]
    to_group = [
        m for m in emails if m["to"] == ["burak@destek.example"] and case["number"] in m["subject"]
    ]
    assert to_group and "Ödeme ve fatura" in to_group[0]["body"]
    found = agent.get(f"/cases/{case['id']}").body
    sent = {n["event"]: n for n in found["notices"]}
    assert sent["case_received"]["status"] == "sent"
    assert sent["case_received"]["deliveries"][0]["to"] == "fatma@example.com"
    assert sent["routed_to_group"]["status"] == "sent"


def test_reply_reaches_the_customer_by_sms_when_they_prefer_it(
    as_role, aws_env, drain_routing, drain_notify, mailbox
):
    agent = as_role("agent")
    new = agent.post("/customers", {"name": "SMS Müşteri", "phone": "0535 444 55 66"}).body
    case = open_case(agent, customer={"customer_id": new["id"]})
    drain_routing()
    version = agent.get(f"/cases/{case['id']}").body["case"]["version"]
    claimed = agent.post(f"/cases/{case['id']}/claim", {"version": version}).body
    agent.post(
        f"/cases/{case['id']}/replies", {"version": claimed["version"], "body": "Kargonuz yolda"}
    )
    drain_notify()
    texts = [m for m in mailbox()["sms"] if m["to"] == "+905354445566"]
    bodies = " | ".join(m["body"] for m in texts)
    assert f"Talebiniz alindi. Talep no: {case['number']}" in bodies
    assert f"{case['number']} numarali talebinize yanit verildi" in bodies
