"""A customer's phone and the channel that needs it, through both doors: the site's profile
(`/my/profile`) and the staff's customer edit (`PATCH /customers/{id}`).

Choosing SMS without a phone, or removing the phone an SMS choice relies on, is a 422 with a
code the site and the console put into words; nothing changes, and no notice is ever sent
some other way than the customer chose."""

from __future__ import annotations

import uuid

from tests.support import refreshed, sign_up, unique_phone


def new_customer(api, aws_env, phone: str | None = None):
    email = f"tel.{uuid.uuid4().hex[:10]}@example.com"
    signed = sign_up(aws_env, email, "Telefon Testi")
    body = {"name": "Telefon Testi", **({"phone": phone} if phone else {})}
    done = api.as_(signed["id"]).post("/my/account", body)
    assert done.status == 200, done
    return api.as_(refreshed(aws_env, signed["refresh"])), done.body


def test_sms_without_a_phone_is_refused_and_changes_nothing(api, aws_env):
    me, profile = new_customer(api, aws_env)
    assert profile["phone"] is None
    for channel in ("sms", "both"):
        refused = me.patch("/my/profile", {"version": profile["version"], "name": "Yeni Ad",
                                           "contact": {"channel": channel}})  # fmt: skip
        assert refused.status == 422, refused
        assert refused.body["error"]["code"] == "sms_needs_phone"
    assert me.get("/my/profile").body == profile  # not the name either


def test_a_customer_adds_a_phone_and_sms_in_one_change_then_cannot_remove_it(api, aws_env, as_role):
    me, profile = new_customer(api, aws_env)
    phone = unique_phone()
    changed = me.patch("/my/profile", {"version": profile["version"], "phone": phone,
                                       "contact": {"channel": "sms"}})  # fmt: skip
    assert changed.status == 200, changed
    e164 = "+90" + phone.replace(" ", "")[1:]
    assert changed.body["phone"] == e164 and changed.body["contact"]["channel"] == "sms"
    agent = as_role("agent")
    assert agent.get(f"/customers?phone={phone}").body["id"] == profile["id"]  # found by it

    removed = me.patch("/my/profile", {"version": changed.body["version"], "phone": ""})
    assert removed.status == 422 and removed.body["error"]["code"] == "sms_needs_phone"
    back = me.patch("/my/profile", {"version": changed.body["version"], "phone": "",
                                    "contact": {"channel": "email"}})  # fmt: skip
    assert back.status == 200 and back.body["phone"] is None
    assert agent.get(f"/customers?phone={phone}").status == 404  # the number is free again


def test_changing_the_phone_moves_it_and_anothers_number_is_refused(api, aws_env, as_role):
    me, profile = new_customer(api, aws_env, phone=unique_phone())
    old = profile["phone"]
    other = as_role("agent").post("/customers", {"name": "Başkası", "phone": unique_phone()})
    taken = me.patch("/my/profile", {"version": profile["version"],
                                     "phone": other.body["phone"]})  # fmt: skip
    assert taken.status == 409 and taken.body["error"]["code"] == "customer_exists"
    fresh = unique_phone()
    moved = me.patch("/my/profile", {"version": profile["version"], "phone": fresh})
    assert moved.status == 200, moved
    agent = as_role("agent")
    assert agent.get(f"/customers?phone={fresh}").body["id"] == profile["id"]
    assert agent.get(f"/customers?phone={old}").status == 404
    stale = me.patch("/my/profile", {"version": profile["version"], "phone": unique_phone()})
    assert stale.status == 409 and stale.body["error"]["code"] == "version_conflict"
    bad = me.patch("/my/profile", {"version": moved.body["version"], "phone": "12"})
    assert bad.status == 422 and bad.body["error"]["details"] == {"phone": "12"}


def test_staff_editing_a_customer_meet_the_same_rule(as_role):
    agent = as_role("agent")
    made = agent.post("/customers", {"name": "Sadece E-posta",
                                     "email": f"e.{uuid.uuid4().hex[:8]}@example.com"})  # fmt: skip
    customer = made.body
    sms = {"version": customer["version"], "contact": {"channel": "sms"}}
    refused = agent.patch(f"/customers/{customer['id']}", sms)
    assert refused.status == 422 and refused.body["error"]["code"] == "sms_needs_phone"
    phone = unique_phone()
    both = agent.patch(f"/customers/{customer['id']}", {"version": customer["version"],
                       "phone": phone, "contact": {"channel": "both"}})  # fmt: skip
    assert both.status == 200, both
    assert both.body["contact"]["channel"] == "both"


def test_a_caller_registered_with_only_a_phone_is_told_by_sms_and_cannot_choose_email(
    as_role,
):
    agent = as_role("agent")
    made = agent.post("/customers", {"name": "Sadece Telefon", "phone": unique_phone()}).body
    assert made["contact"]["channel"] == "sms"  # chosen at registration, not a fallback
    email = {"version": made["version"], "contact": {"channel": "email"}}
    refused = agent.patch(f"/customers/{made['id']}", email)
    assert refused.status == 422 and refused.body["error"]["code"] == "email_needs_address"
    renamed = agent.patch(f"/customers/{made['id']}", {"version": made["version"], "name": "Ad"})
    assert renamed.status == 200  # a change that leaves the contact alone is not checked


def test_a_sign_ups_phone_another_customer_holds_is_refused_and_the_account_made_without_it(
    api, aws_env, as_role
):
    """The site's contract: a 409 or 422 about the phone, then the same call without it."""
    held = as_role("agent").post("/customers", {"name": "Sahibi", "phone": unique_phone()}).body
    email = f"tel.{uuid.uuid4().hex[:10]}@example.com"
    signed = sign_up(aws_env, email, "Geç Gelen")
    me = api.as_(signed["id"])
    taken = me.post("/my/account", {"name": "Geç Gelen", "phone": held["phone"]})
    assert taken.status == 409 and taken.body["error"]["code"] == "customer_exists"
    assert me.post("/my/account", {"name": "Geç Gelen", "phone": "12"}).status == 422
    done = me.post("/my/account", {"name": "Geç Gelen"})
    assert done.status == 200 and done.body["phone"] is None
