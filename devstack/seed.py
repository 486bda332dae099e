"""Demo data for the local stack: departments, staff, customers, categories, the product
catalog, registered products, logins.

Written through destek's own stores and services (so seeded data has exactly
the shape the app writes), plus Cognito admin calls for the logins.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import timedelta

from chalicelib import wiring
from chalicelib.domain.cases import Actor
from chalicelib.domain.categories import Category
from chalicelib.domain.clock import ISTANBUL, utcnow
from chalicelib.domain.directory import Group, StaffMember
from chalicelib.domain.routing_rules import RoutingRule
from chalicelib.domain.sla import EscalationLadder, EscalationLevel, SlaPolicy
from chalicelib.domain.warranty import add_months
from chalicelib.services.catalog import NewProduct, NewProductCategory
from chalicelib.services.customers import CustomerLookup, NewCustomer
from chalicelib.services.registrations import RegisterProduct

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
    ("admin", "Sistem Yöneticisi", "admin", []),
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
#: per rule name, how loosely its words match (issue 20; docs/turkish-text.md): "değişim" with
#: its inflections only, so "şifrem değişti" is not an exchange; "ücretsiz" (free) never
#: counts as the fee "ücret" ("ücretsiz kargo" is no billing question)
RULE_OPTIONS = {
    "İade ve değişim": {"match_modes": {"değişim": "inflected"}},
    "Ödeme ve fatura": {"not_words": {"ücret": ["ücretsiz"]}},
}


SLA_POLICIES = [
    SlaPolicy(id="p-genel", name="Genel", order=100, first_response_minutes=240,
              resolution_minutes=1440),
    SlaPolicy(id="p-acil", name="Acil", order=10,
              conditions=[{"field": "priority", "operator": "is", "value": "urgent"}],
              first_response_minutes=30, resolution_minutes=240, hours="calendar"),
    SlaPolicy(id="p-vip", name="VIP şikayet", order=20,
              conditions=[{"field": "type", "operator": "is", "value": "complaint"},
                          {"field": "customer_category", "operator": "is", "value": "vip"}],
              first_response_minutes=60, resolution_minutes=480),
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


#: product categories: id, name, English name, parent id
PRODUCT_CATEGORIES = [
    ("elektronik", "Elektronik", "Electronics", None),
    ("telefon", "Telefon", "Phones", "elektronik"),
    ("bilgisayar", "Bilgisayar", "Computers", "elektronik"),
    ("dizustu", "Dizüstü", "Laptops", "bilgisayar"),
    ("ev-aletleri", "Ev Aletleri", "Home Appliances", None),
    ("supurge", "Süpürge", "Vacuum Cleaners", "ev-aletleri"),
    ("kahve-makinesi", "Kahve Makinesi", "Coffee Machines", "ev-aletleri"),
    ("giyim", "Giyim", "Clothing", None),
    ("ayakkabi", "Ayakkabı", "Shoes", "giyim"),
]


def _colours(*values: str) -> dict:
    return {"name": "renk", "values": list(values), "default": values[0]}


SIZES = {"name": "beden", "values": [str(n) for n in range(36, 46)], "default": "42"}

#: electronics and appliances carry the legal two-year warranty; clothing little or none
PRODUCTS = [
    dict(id="p-vestel-venus-v7", brand="Vestel", model="Venus V7", sub_model="128 GB",
         name="Vestel Venus V7 128 GB", category_id="telefon",
         attributes=[_colours("siyah", "beyaz", "mavi")], related_ids=[]),
    dict(id="p-reeder-s19", brand="Reeder", model="S19 Max", sub_model="Pro",
         name="Reeder S19 Max Pro", category_id="telefon",
         attributes=[_colours("siyah", "gri")], related_ids=["p-vestel-venus-v7"]),
    dict(id="p-casper-nirvana-x600", brand="Casper", model="Nirvana X600",
         sub_model="i5 / 16 GB", name="Casper Nirvana X600 Dizüstü Bilgisayar",
         category_id="dizustu",
         attributes=[_colours("gri"),
                     {"name": "klavye", "values": ["Türkçe Q", "Türkçe F"],
                      "default": "Türkçe Q"}],
         related_ids=[]),
    dict(id="p-fakir-starky", brand="Fakir", model="Starky", name="Fakir Starky Dikey Süpürge",
         category_id="supurge", attributes=[_colours("kırmızı", "gri")], related_ids=[]),
    dict(id="p-arzum-okka-minio", brand="Arzum", model="Okka Minio",
         name="Arzum Okka Minio Türk Kahvesi Makinesi", category_id="kahve-makinesi",
         attributes=[_colours("siyah", "krom", "bakır")], related_ids=[]),
    dict(id="p-arcelik-k3300", brand="Arçelik", model="K 3300",
         name="Arçelik K 3300 Filtre Kahve Makinesi", category_id="kahve-makinesi",
         attributes=[], related_ids=["p-arzum-okka-minio"]),
    dict(id="p-kinetix-orion", brand="Kinetix", model="Orion", name="Kinetix Orion Koşu Ayakkabısı",
         category_id="ayakkabi", attributes=[_colours("siyah", "beyaz"), SIZES],
         warranty_months=6, related_ids=[]),
    dict(id="p-hotic-loafer", brand="Hotiç", model="Loafer", sub_model="Deri",
         name="Hotiç Deri Loafer", category_id="ayakkabi", attributes=[_colours("kahverengi",
         "siyah"), SIZES], warranty_months=0, related_ids=["p-kinetix-orion"]),
]  # fmt: skip

#: Ahmet's products: one well in warranty (bought 8 months ago), one long expired
REGISTRATIONS = [
    # serial, product, months ago, source, chosen attributes, seller
    ("SN-DEMO-0001", "p-vestel-venus-v7", 8, "site", {"renk": "mavi"}, "destek Mağaza"),
    ("SN-DEMO-0002", "p-arzum-okka-minio", 36, "phone", {}, "Kadıköy Elektrik"),
]


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


#: the demo shop's signing secret (local only): sign calls to /integrations/demo-shop/... with it
DEMO_SHOP = "demo-shop"
DEMO_SHOP_SECRET = "whsec_" + base64.b64encode(b"destek local demo shop secret").decode()


def demo_logins() -> list[Login]:
    """The logins seed() creates, in its order (a restarted stack lists them without seeding)."""
    staff = [Login(username, role, name) for username, name, role, _ in STAFF]
    customers = [Login(c[1], "customer", c[0]) for c in CUSTOMERS if c[5]]
    return staff + customers


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

    aws("ssm", env["AWS_ENDPOINT_URL"]).put_parameter(
        Name=f"{env['INTEGRATION_SECRETS_PREFIX']}/{DEMO_SHOP}",
        Value=DEMO_SHOP_SECRET,
        Type="SecureString",
        Overwrite=True,
    )

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
                **RULE_OPTIONS.get(name, {}),
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

    seed_catalog()
    seed_articles()
    from devstack.seed_library import seed_library

    seed_library()  # demo checklists and e-library documents
    seed_orders()
    from devstack.history import seed_history

    seed_history()  # 600 resolved cases' learning items: routing's report and classifier
    return logins


def seed_orders() -> None:
    """Two orders of Ahmet's as the shop would report them, for Siparişlerim (docs/orders.md):
    one on its way (due in two days), one delivered. Sent again, they replace themselves."""
    from chalicelib.services.shop_sync import ShopOrder, ShopShipment

    sync = wiring.shop_sync()
    now = utcnow()
    today = now.astimezone(ISTANBUL).date()
    at = lambda days, hour: (now - timedelta(days=days)).replace(hour=hour, minute=0)  # noqa: E731
    sync.upsert_order(ShopOrder(
        order_id="DEMO-1001", customer_number="10000001", placed_at=at(2, 7), status="shipped",
        lines=[{"sku": "ARZ-OKKA", "name": "Arzum Okka Minio", "quantity": 1,
                "unit_price": "1899.90"},
               {"sku": "KHV-250", "name": "Türk kahvesi 250 g", "quantity": 2,
                "unit_price": "129.90"}]))  # fmt: skip
    sync.upsert_shipment(ShopShipment(
        shipment_id="DEMO-1001-1", order_id="DEMO-1001", customer_number="10000001",
        carrier="Yurtiçi Kargo", tracking_number="104719352811", status="in_transit",
        estimated_delivery=today + timedelta(days=2),
        events=[{"at": at(1, 15), "status": "picked_up", "location": "İstanbul Esenyurt"},
                {"at": now - timedelta(hours=3), "status": "in_transit",
                 "location": "Ankara Aktarma"}]))  # fmt: skip
    sync.upsert_order(ShopOrder(
        order_id="DEMO-0998", customer_number="10000001", placed_at=at(20, 9), status="delivered",
        lines=[{"sku": "KNX-ORION-42", "name": "Kinetix Orion 42", "quantity": 1,
                "unit_price": "1249.00"}]))  # fmt: skip
    sync.upsert_shipment(ShopShipment(
        shipment_id="DEMO-0998-1", order_id="DEMO-0998", customer_number="10000001",
        carrier="Aras Kargo", tracking_number="3513773163316", status="delivered",
        estimated_delivery=today - timedelta(days=17),
        events=[{"at": at(19, 16), "status": "picked_up", "location": "İzmir"},
                {"at": at(18, 10), "status": "out_for_delivery", "location": "Kadıköy"},
                {"at": at(18, 14), "status": "delivered", "location": "Kadıköy"}]))  # fmt: skip


def staff_actor(username: str) -> Actor:
    """A demo staff member as an actor, named as STAFF names them (the console shows the
    name saved on an article or case; one list keeps them from disagreeing)."""
    name = next(n for u, n, *_ in STAFF if u == username)
    return Actor(kind="staff", id=username, name=name)


def seed_articles() -> None:
    """The demo knowledge base (devstack/data/kb_articles.json, devstack/kb_data.py), every
    article published, Turkish and English, public and internal, so `make run` shows a real
    knowledge base, the help centre and suggestions beside cases."""
    from chalicelib.domain.errors import Conflict
    from chalicelib.domain.knowledge import Move, move, new_article

    from .kb_data import load

    store = wiring.article_store()
    author, approver = staff_actor("mehmet"), staff_actor("selin")
    for entry in load():
        now = utcnow()
        changed = new_article(entry.id, f"h-{entry.id}-0", entry.content, author, now)
        try:
            article = store.save(changed)
        except Conflict:
            continue  # seeded already
        for step, (what, who) in enumerate([(Move.SUBMIT, author), (Move.APPROVE, approver)]):
            article = store.save(move(article, what, who, now, f"h-{entry.id}-{step + 1}"))


def seed_catalog() -> None:
    """The demo catalog and Ahmet's registered products; what exists already is kept."""
    catalog = wiring.catalog_service()
    for category_id, name, name_en, parent_id in PRODUCT_CATEGORIES:
        if catalog.store.get_category(category_id) is None:
            catalog.add_category(
                NewProductCategory(id=category_id, name=name, name_en=name_en, parent_id=parent_id)
            )
    for details in PRODUCTS:
        if catalog.store.get_product(details["id"]) is None:
            catalog.add_product(NewProduct.model_validate(details))

    registrations = wiring.registration_service()
    ahmet = wiring.customer_service().lookup(CustomerLookup(customer_number="10000001"))
    today = utcnow().astimezone(ISTANBUL).date()
    for serial, product_id, months_ago, source, attributes, seller in REGISTRATIONS:
        if registrations.store.find_serial(serial) is not None:
            continue
        bought = add_months(today, -months_ago) - timedelta(days=3)
        command = RegisterProduct(
            product_id=product_id,
            serial_number=serial,
            purchase_date=bought,
            seller=seller,
            attributes=attributes,
        )
        actor = (
            Actor(kind="customer", id=ahmet.id, name=ahmet.name)
            if source == "site"
            else staff_actor("mehmet")
        )
        registrations.register(ahmet.id, command, source, actor)
