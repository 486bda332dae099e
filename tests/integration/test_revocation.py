"""Access that ends when it is taken away: each revocation refuses the old token (at once in
the process that made it, within the directory cache's minute in any other), and revokes the
Cognito refresh tokens, against real tokens from moto's Cognito.

And who a customer is comes from the sign-in destek linked, never from the writable
`custom:customer_id` claim: a token naming another customer reaches nothing of theirs.
"""

from __future__ import annotations

import time
import uuid

import pytest
from botocore.exceptions import ClientError

from devstack.seed import PASSWORD
from tests.support import cognito, sign_in, sign_up

from .conftest import open_case
from .test_route_permissions import registration


def staff_member(admin, aws_env, role: str) -> tuple[str, dict[str, str]]:
    """Someone new in the directory with a sign-in, and their tokens (id and refresh)."""
    username = f"t{uuid.uuid4().hex[:8]}"
    made = admin.put(f"/staff/{username}", {"name": "Geçici", "roles": [role]})
    assert made.status == 200, made
    cognito(aws_env).admin_set_user_password(UserPoolId=aws_env["STAFF_POOL_ID"],
                                             Username=username, Password=PASSWORD,
                                             Permanent=True)  # fmt: skip
    return username, tokens_of(aws_env, username)


def tokens_of(aws_env, username: str) -> dict[str, str]:
    client_id = aws_env["CUSTOMER_CLIENT_IDS"] if "@" in username else aws_env["STAFF_CLIENT_IDS"]
    result = cognito(aws_env).initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]  # fmt: skip
    return {"id": result["IdToken"], "refresh": result["RefreshToken"]}


def refresh_fails(aws_env, refresh: str, customer: bool = False) -> bool:
    client_id = aws_env["CUSTOMER_CLIENT_IDS" if customer else "STAFF_CLIENT_IDS"]
    try:
        cognito(aws_env).initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                       AuthParameters={"REFRESH_TOKEN": refresh})  # fmt: skip
    except ClientError:
        return True
    return False


def assert_revoked(answer) -> None:
    assert answer.status == 401, answer
    assert answer.body["error"]["code"] in ("session_revoked", "account_disabled",
                                            "account_closed"), answer  # fmt: skip


def test_a_demoted_supervisor_loses_the_workload_at_once(as_role, api, aws_env):
    admin = as_role("admin")
    username, tokens = staff_member(admin, aws_env, "supervisor")
    old = api.as_(tokens["id"])
    assert old.get("/workload").status == 200
    demoted = admin.put(f"/staff/{username}", {"name": "Geçici", "roles": ["agent"]})
    assert demoted.status == 200, demoted
    assert_revoked(old.get("/workload"))
    assert_revoked(old.get("/cases?view=mine"))  # the whole session, not only the lost role
    assert refresh_fails(aws_env, tokens["refresh"])  # AdminUserGlobalSignOut
    time.sleep(1.1)  # sessions are compared in whole seconds
    fresh = api.as_(tokens_of(aws_env, username)["id"])
    assert fresh.get("/workload").status == 403
    assert fresh.get("/me").body["roles"] == ["agent"]


def test_a_disabled_agent_cannot_open_cases_or_sign_in(as_role, api, aws_env, table_items):
    admin = as_role("admin")
    username, tokens = staff_member(admin, aws_env, "agent")
    old = api.as_(tokens["id"])
    open_case(old)
    disabled = admin.put(f"/staff/{username}", {"name": "Geçici", "roles": ["agent"],
                                                 "active": False})  # fmt: skip
    assert disabled.status == 200 and disabled.body["active"] is False
    before = table_items()
    assert_revoked(
        old.post(
            "/cases",
            {
                "customer": {"customer_number": "10000001"},
                "type": "question",
                "subject": "s",
                "description": "d",
            },
        )
    )
    assert table_items() == before  # fmt: skip
    assert refresh_fails(aws_env, tokens["refresh"])
    with pytest.raises(ClientError):
        tokens_of(aws_env, username)
    edited = admin.put(f"/staff/{username}", {"name": "Geçici Ad", "roles": ["agent"]})
    assert edited.body["active"] is False  # a form that leaves it out keeps it disabled
    enabled = admin.put(f"/staff/{username}", {"name": "Geçici", "roles": ["agent"],
                                               "active": True})  # fmt: skip
    assert enabled.status == 200
    time.sleep(1.1)
    assert api.as_(tokens_of(aws_env, username)["id"]).get("/me").status == 200


def test_a_removed_agent_is_refused_leaves_their_groups_and_has_no_sign_in(as_role, api, aws_env):
    admin = as_role("admin")
    username, tokens = staff_member(admin, aws_env, "agent")
    group = admin.get("/groups/finans").body
    body = {k: group[k] for k in ("name", "members", "supervisors", "is_default", "calendar_id",
                                  "auto_assign")}  # fmt: skip
    assert (
        admin.put("/groups/finans", {**body, "members": [*group["members"], username]}).status
        == 200
    )
    old = api.as_(tokens["id"])
    open_case(old)
    assert as_role("agent").call("DELETE", f"/staff/{username}").status == 403
    removed = admin.call("DELETE", f"/staff/{username}")
    assert removed.status == 204, removed
    assert_revoked(old.get("/cases?view=mine"))
    assert username not in admin.get("/groups/finans").body["members"]
    assert username not in {s["username"] for s in admin.get("/staff").body}
    assert refresh_fails(aws_env, tokens["refresh"])
    with pytest.raises(ClientError):
        tokens_of(aws_env, username)
    assert admin.call("DELETE", f"/staff/{username}").status == 404
    myself = admin.call("DELETE", "/staff/admin")
    assert myself.status == 409 and myself.body["error"]["code"] == "cannot_revoke_yourself"


def test_a_deleted_customer_is_refused_everywhere_and_cannot_come_back(as_role, api, aws_env):
    email = f"silinen{uuid.uuid4().hex[:6]}@example.com"
    tokens = sign_up(aws_env, email)
    me = api.as_(tokens["id"])
    made = me.post("/my/account", {"name": "Silinecek Müşteri"})
    assert made.status == 200, made
    filed = me.post("/my/cases", {"type": "question", "subject": "s", "description": "d"})
    assert filed.status == 201
    assert as_role("supervisor").call("DELETE", f"/customers/{made.body['id']}").status == 403
    deleted = as_role("admin").call("DELETE", f"/customers/{made.body['id']}")
    assert deleted.status == 204, deleted
    for answer in (me.get("/my/profile"), me.get("/my/cases"),
                   me.get(f"/cases/{filed.body['id']}"),
                   me.post("/my/account", {"name": "Geri Geldim"})):  # fmt: skip
        assert_revoked(answer)
    assert refresh_fails(aws_env, tokens["refresh"], customer=True)
    staff = as_role("agent")
    assert staff.get(f"/customers/{made.body['id']}").status == 404
    assert staff.get(f"/customers?email={email}").status == 404
    assert staff.get(f"/cases/{filed.body['id']}").status == 200  # the shop's record stays
    assert as_role("admin").call("DELETE", f"/customers/{made.body['id']}").status == 404


def test_another_process_refuses_the_old_token_within_the_cache_time(as_role, api, aws_env):
    """Demoted through another Lambda instance: this one holds the directory for a minute at
    most, then refuses."""
    from chalicelib import wiring
    from chalicelib.domain.directory import StaffMember

    admin = as_role("admin")
    username, tokens = staff_member(admin, aws_env, "supervisor")
    old = api.as_(tokens["id"])
    assert old.get("/workload").status == 200  # this process has read the directory now
    wiring.directory_store().put_staff(  # what another instance's demotion writes
        StaffMember(username=username, name="Geçici", roles=["agent"]),
        revoked_before=int(time.time()) + 1,
    )
    catalog = wiring.role_catalog()
    assert old.get("/workload").status == 200  # not yet heard of here
    real = catalog.clock
    try:
        catalog.clock = lambda: real() + catalog.ttl + 1
        assert_revoked(old.get("/workload"))
    finally:
        catalog.clock = real
        catalog.forget()


def test_a_token_naming_another_customer_reaches_nothing_of_theirs(as_role, api, aws_env):
    """moto's admin API writes `custom:customer_id` as a misconfigured app client could."""
    ahmet = as_role("admin").get("/customers?customer_number=10000001").body
    case = open_case(as_role("agent"), customer={"customer_number": "10000001"})
    reg = as_role("agent").post(f"/customers/{ahmet['id']}/products", registration()).body
    pool = aws_env["CUSTOMER_POOL_ID"]
    for email in (f"sahte{uuid.uuid4().hex[:6]}@example.com", None):
        if email:  # a sign-in never linked to a customer
            sign_up(aws_env, email)
        else:  # Fatma's own, linked sign-in
            email = "fatma@example.com"
        cognito(aws_env).admin_update_user_attributes(
            UserPoolId=pool, Username=email,
            UserAttributes=[{"Name": "custom:customer_id", "Value": ahmet["id"]}],
        )  # fmt: skip
        forged = api.as_(sign_in(aws_env, email))
        assert forged.get(f"/cases/{case['id']}").status == 404
        assert forged.get(f"/cases/{case['number']}").status == 404
        assert all(c["id"] != case["id"] for c in forged.get("/my/cases").body["items"])
        assert forged.get(f"/my/products/{reg['id']}").status == 404
        assert all(r["id"] != reg["id"] for r in forged.get("/my/products").body.get("items", []))
        version = case["version"]
        for path, body in ((f"/cases/{case['id']}/replies", {"version": version, "body": "x"}),
                           (f"/cases/{case['id']}/resolution", {"version": version,
                                                                 "solved": True}),
                           (f"/cases/{case['id']}/attachments", {"filename": "a.png",
                                                                  "content_type": "image/png",
                                                                  "size": 4})):  # fmt: skip
            assert forged.post(path, body).status == 404, path
        profile = forged.get("/my/profile")
        assert profile.status in (200, 409)
        assert profile.status == 409 or profile.body["id"] != ahmet["id"]
    cognito(aws_env).admin_update_user_attributes(  # Fatma's claim back as it was
        UserPoolId=pool, Username="fatma@example.com",
        UserAttributes=[{"Name": "custom:customer_id",
                         "Value": as_role("admin").get("/customers?customer_number=10000002")
                         .body["id"]}],
    )  # fmt: skip
