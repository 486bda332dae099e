"""The carriers a shop ships with, and the link to each one's own tracking page.

A shipment names its carrier as the shop's backend writes it ("Yurtiçi Kargo", "YURTICI",
"yurtici"); `carrier_code` folds that to a carrier's code, and `tracking_url` fills the
carrier's URL template with the tracking number. The defaults are the public tracking pages
of the carriers Turkish shops use (docs/orders.md lists where each comes from and which are
uncertain); an admin edits them or adds others (`PUT /carriers/{code}`), and a stored
carrier replaces the default of the same code.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote, urlsplit

from pydantic import Field

from .errors import InvalidInput
from .model import Model
from .text import fold

#: the placeholder a URL template must hold, once
PLACEHOLDER = "{tracking_number}"
MAX_TEMPLATE_BYTES = 500
CODE = re.compile(r"^[a-z0-9][a-z0-9_]{1,31}$")


class Carrier(Model):
    """A carrier: `code` (lowercase ASCII, `[a-z0-9_]`, 2-32), its display `name`, its
    tracking page's `tracking_url_template` (https, holding `{tracking_number}` once), the
    folded names a shipment's carrier text may use for it (`aliases`), and whether it is one
    of destek's defaults untouched (`default`)."""

    code: str
    name: str
    tracking_url_template: str
    aliases: list[str] = Field(default_factory=list)
    default: bool = False
    updated_at: datetime | None = None
    updated_by: str | None = None


def check_template(template: str) -> str:
    """The template as given when it is an https URL with a host that holds the placeholder
    exactly once; InvalidInput (422) otherwise, naming the rule it broke."""
    if len(template.encode()) > MAX_TEMPLATE_BYTES:
        raise InvalidInput(f"tracking_url_template is longer than {MAX_TEMPLATE_BYTES} bytes",
                           code="invalid_template")  # fmt: skip
    if template.count(PLACEHOLDER) != 1:
        raise InvalidInput(f"tracking_url_template must contain {PLACEHOLDER} exactly once",
                           code="invalid_template")  # fmt: skip
    parts = urlsplit(template.replace(PLACEHOLDER, "0"))
    if parts.scheme != "https" or not parts.hostname:
        raise InvalidInput("tracking_url_template must be an https URL with a host",
                           code="invalid_template")  # fmt: skip
    if PLACEHOLDER in urlsplit(template).netloc or any(c.isspace() for c in template):
        raise InvalidInput("the tracking number may not be in the host, and the URL has no "
                           "spaces", code="invalid_template")  # fmt: skip
    return template


def check_code(code: str) -> str:
    if not CODE.fullmatch(code):
        raise InvalidInput("a carrier code is 2-32 lowercase letters, digits or _",
                           code="invalid_carrier_code")  # fmt: skip
    return code


def tracking_url(template: str, tracking_number: str) -> str:
    """The carrier's page for this tracking number: the number percent-encoded (every
    reserved character, so a number cannot add a query parameter or a path)."""
    return template.replace(PLACEHOLDER, quote(tracking_number.strip(), safe=""))


def folded_name(text: str) -> str:
    """A carrier's name as compared: Turkish-folded, only letters and digits."""
    return "".join(ch for ch in fold(text) if ch.isalnum())


def carrier_code(carrier_text: str, carriers: list[Carrier]) -> Carrier | None:
    """The carrier a shipment's carrier text names: its code, its name or an alias, folded
    ("Yurtiçi Kargo" → `yurtici`); the word "kargo" and spacing do not matter. None when no
    carrier matches (the site then shows the number without a link)."""
    wanted = folded_name(carrier_text)
    bare = wanted.removesuffix("kargo") or wanted
    for carrier in carriers:
        names = {folded_name(n) for n in [carrier.code, carrier.name, *carrier.aliases]}
        names |= {n.removesuffix("kargo") or n for n in names}
        if wanted in names or bare in names:
            return carrier
    return None


def _default(code: str, name: str, template: str, *aliases: str) -> Carrier:
    return Carrier(code=code, name=name, tracking_url_template=template,
                   aliases=list(aliases), default=True)  # fmt: skip


#: the carriers Turkish shops use, with their public tracking pages (docs/orders.md#carriers:
#: MNG's and Trendyol Express's pages are the least settled; an admin corrects a template
#: with `PUT /carriers/{code}`)
DEFAULT_CARRIERS: tuple[Carrier, ...] = (
    _default("yurtici", "Yurtiçi Kargo",
             "https://www.yurticikargo.com/tr/online-servisler/gonderi-sorgula?code={tracking_number}"),
    _default("aras", "Aras Kargo",
             "https://kargotakip.araskargo.com.tr/mainpage.aspx?code={tracking_number}"),
    _default("mng", "MNG Kargo",
             "https://kargotakip.mngkargo.com.tr/?takipNo={tracking_number}", "dhl ecommerce"),
    _default("ptt", "PTT Kargo",
             "https://gonderitakip.ptt.gov.tr/Track/Verify?q={tracking_number}"),
    _default("surat", "Sürat Kargo",
             "https://www.suratkargo.com.tr/KargoTakip/?kargotakipno={tracking_number}"),
    _default("hepsijet", "HepsiJet",
             "https://www.hepsijet.com/gonderi-takibi/{tracking_number}"),
    _default("trendyol_express", "Trendyol Express",
             "https://kargotakip.trendyol.com/?trackingNumber={tracking_number}", "tex"),
    _default("ups", "UPS", "https://www.ups.com/track?loc=tr_TR&tracknum={tracking_number}"),
    _default("dhl", "DHL Express",
             "https://www.dhl.com/tr-tr/home/tracking/tracking-express.html?submit=1&tracking-id={tracking_number}",
             "dhl"),
)  # fmt: skip


def merged(stored: list[Carrier]) -> list[Carrier]:
    """The defaults with the stored carriers over them (same code: the stored one), then the
    stored carriers the defaults do not have, by code."""
    by_code = {c.code: c for c in DEFAULT_CARRIERS}
    by_code.update({c.code: c for c in stored})
    return sorted(by_code.values(), key=lambda c: c.code)
