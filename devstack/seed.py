"""Demo data for the local stack: departments, staff, customers, categories, logins.

Written through destek's own stores and services (so seeded data has exactly
the shape the app writes), plus Cognito admin calls for the logins.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib import wiring
from chalicelib.domain.categories import Category
from chalicelib.domain.clock import utcnow
from chalicelib.domain.directory import Group, StaffMember
from chalicelib.domain.routing_rules import RoutingRule
from chalicelib.domain.sla import EscalationLadder, EscalationLevel, SlaPolicy
from chalicelib.services.customers import NewCustomer

from .bootstrap import aws

PASSWORD = "Destek2026!"


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    name: str


STAFF = [
    # username, name, cognito group, department groups
    ("ayse", "Ayşe Kaya", "agent", ["teslimat"]),
    ("can", "Can Öztürk", "agent", ["teslimat"]),
    ("mehmet", "Mehmet Demir", "agent", ["urun"]),
    ("elif", "Elif Şahin", "agent", ["urun"]),
    ("burak", "Burak Koç", "agent", ["finans"]),
    ("selin", "Selin Aydın", "supervisor", []),
    ("admin", "Yönetici", "admin", []),
]

GROUPS = [
    Group(id="teslimat", name="Kargo ve Teslimat", members=["ayse", "can"], supervisors=["selin"]),
    Group(
        id="urun",
        name="Ürün ve İade",
        members=["mehmet", "elif"],
        supervisors=["selin"],
        is_default=True,
    ),
    Group(id="finans", name="Ödeme ve Fatura", members=["burak"], supervisors=["selin"]),
]

#: keyword routing rules (name, order, phrases, group, category to set, priority bump)
RULES = [
    ("Hukuki süreç", 5, ["tüketici hakem", "avukat", "dava", "mahkeme"], "urun", None, 2),
    ("Kargo ve teslimat", 10,
     ["kargo", "teslimat", "kurye", "takip numarası", "paket gelmedi",
      "siparişim gelmedi", "ulaşmadı", "adres"], "teslimat", "k-teslimat", 0),
    ("Ödeme ve fatura", 20,
     ["ödeme", "fatura", "kredi kartı", "taksit", "çekim", "para iadesi", "havale", "ücret"],
     "finans", "k-odeme", 0),
    ("İade ve değişim", 30, ["iade", "değişim", "iptal", "geri gönder"], "urun",
     "k-iadevedegisim", 0),
    ("Arıza", 40, ["arıza", "bozuk", "kırık", "çalışmıyor", "hasarlı", "defolu", "şarj olmuyor"],
     "urun", "k-ariza", 0),
]  # fmt: skip


SLA_POLICIES = [
    SlaPolicy(id="p-genel", name="Genel", order=100, first_response_minutes=240,
              resolution_minutes=1440),
    SlaPolicy(id="p-acil", name="Acil", order=10, priority="urgent",
              first_response_minutes=30, resolution_minutes=240, hours="calendar"),
    SlaPolicy(id="p-vip", name="VIP şikayet", order=20, case_type="complaint",
              customer_category="vip", first_response_minutes=60, resolution_minutes=480),
]  # fmt: skip

CUSTOMERS = [
    # name, email, phone as a caller would say it, customer number, language, has a login
    ("Ahmet Yılmaz", "ahmet@example.com", "0532 123 45 67", "10000001", "tr", True),
    ("Fatma Çelik", "fatma@example.com", "+90 533 765 43 21", "10000002", "tr", True),
    ("İsmail Işık", "ismail@example.com", "0(542) 222 33 44", "10000003", "tr", False),
    ("John Smith", "john@example.com", "0544 555 66 77", "10000004", "en", False),
]

CATEGORIES = {
    "Sipariş": ["Teslimat", "İade ve Değişim", "Ödeme"],
    "Ürün": ["Arıza", "Garanti"],
    "Hesap": [],
}


def _category(name: str, parent: Category | None) -> Category:
    ascii_name = name.lower().translate(str.maketrans("çğıöşüi̇", "cgiosui "))
    category_id = "k-" + "".join(ch for ch in ascii_name if ch.isascii() and ch.isalnum())[:20]
    return Category(
        id=category_id,
        name=name,
        parent_id=parent.id if parent else None,
        path=[*(parent.path if parent else []), category_id],
    )


def _login(
    cognito, pool: str, username: str, email: str, name: str, extra: dict[str, str] | None = None
) -> str:
    """A demo sign-in with the shared demo password, no invitation email."""
    attributes = {"email": email, "email_verified": "true", "name": name, **(extra or {})}
    cognito.admin_create_user(
        UserPoolId=pool,
        Username=username,
        UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=pool, Username=username, Password=PASSWORD, Permanent=True
    )
    user = cognito.admin_get_user(UserPoolId=pool, Username=username)
    return next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")


def seed(env: dict[str, str]) -> list[Login]:
    directory = wiring.directory_store()
    cognito = aws("cognito-idp", env["AWS_ENDPOINT_URL"])
    logins: list[Login] = []

    for group in GROUPS:
        directory.put_group(group)
    for root_name, children in CATEGORIES.items():
        root = directory.put_category(_category(root_name, None))
        for child in children:
            directory.put_category(_category(child, root))

    staff_pool = env["STAFF_POOL_ID"]
    for username, name, role, _groups in STAFF:
        email = f"{username}@destek.example"
        directory.put_staff(StaffMember(username=username, name=name, email=email, roles=[role]))
        _login(cognito, staff_pool, username, email, name)
        cognito.admin_add_user_to_group(UserPoolId=staff_pool, Username=username, GroupName=role)
        logins.append(Login(username, role, name))

    for index, (name, order, phrases, group, category, bump) in enumerate(RULES):
        directory.put_rule(
            RoutingRule(
                id=f"r-demo-{index}",
                name=name,
                order=order,
                phrases=phrases,
                group_id=group,
                set_category_id=category,
                priority_bump=bump,
            )
        )

    for policy in SLA_POLICIES:
        directory.put_sla_policy(policy)
    directory.put_ladder(
        EscalationLadder(
            id="l-demo",
            name="Genel yükseltme",
            levels=[
                EscalationLevel(after_minutes=0, notify="assignee_and_group"),
                EscalationLevel(after_minutes=60, notify="supervisors", raise_priority=True),
                EscalationLevel(after_minutes=240, notify="managers",
                                emails=["mudur@destek.example"]),
            ],
        )
    )  # fmt: skip

    customers = wiring.customer_service()
    customer_pool = env["CUSTOMER_POOL_ID"]
    for name, email, phone, number, language, has_login in CUSTOMERS:
        customer = customers.create(
            NewCustomer(
                name=name, email=email, phone=phone, customer_number=number, language=language
            ),
            utcnow(),
        )
        if not has_login:
            continue
        extra = {"custom:customer_id": customer.id}
        sub = _login(cognito, customer_pool, email, email, name, extra)
        linked = customer.model_copy(update={"login": sub, "version": customer.version + 1})
        customers.store.link_login(linked, customer.version)
        logins.append(Login(email, "customer", name))
    return logins
