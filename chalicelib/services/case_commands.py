"""The inputs of the case use cases, validated by pydantic at the API boundary.

The same models feed the OpenAPI document, so the contract cannot drift from
what is enforced.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, model_validator

from ..domain.attachments import MAX_FILES_PER_MESSAGE
from ..domain.case_kinds import CaseType, Channel, Priority
from ..domain.case_people import MAX_CC, MAX_FOLLOWERS
from ..domain.custom_fields import FieldKey
from ..domain.customers import Language
from ..domain.emails import MAX_LENGTH, checked_email
from ..domain.lifecycle import Status
from ..domain.model import Model
from ..domain.tags import TagList
from ..domain.text_fields import Id, LongText, Text

#: a shop's order or shipment id, as the shop's signed calls take it (services/shop_sync.py `Ref`)
OrderId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$")]
#: an address SES can send to, in its stored form (domain/emails.py): `<x>@example.com` and
#: `a@example.com,b` are refused at every door that takes one, so no notice is sent to them
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=MAX_LENGTH),
    AfterValidator(checked_email),
    Field(json_schema_extra={"format": "email"}),
]
CustomerNumber = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,32}$")]
Phone = Annotated[str, StringConstraints(min_length=1, max_length=32)]
Version = Annotated[int, Field(ge=1, description="the case version you last read")]


class Strict(Model):
    model_config = ConfigDict(extra="forbid")


#: custom field values by key as a request gives them (each checked against its definition
#: by domain/custom_fields.check_values; null clears one)
CustomValues = Annotated[
    dict[FieldKey, str | int | float | bool | None],
    Field(max_length=100),
]


class CallerDetails(Strict):
    """Who is calling: any one of id, customer number, phone or email finds them."""

    customer_id: Id | None = None
    customer_number: CustomerNumber | None = None
    phone: Phone | None = None
    email: Email | None = None
    name: Text | None = Field(default=None, description="needed when the caller is new")
    language: Language = Language.TR

    @model_validator(mode="after")
    def _one_way_to_find(self) -> CallerDetails:
        if not (self.customer_id or self.customer_number or self.phone or self.email):
            raise ValueError("give customer_id, customer_number, phone or email")
        return self


class OpenCase(Strict):
    customer: CallerDetails
    type: CaseType
    channel: Channel = Channel.PHONE
    priority: Priority = Priority.NORMAL
    category_id: Id | None = None
    group_id: Id | None = Field(default=None, description="send straight to this group")
    registration_id: Id | None = Field(
        default=None, description="the caller's registered product the case is about"
    )
    subject: Text
    description: LongText
    tags: TagList = Field(default_factory=list, description="free tags (normalised)")
    custom_fields: CustomValues = Field(
        default_factory=dict,
        description="custom field values by key, checked against the definitions (422 "
        "`invalid_custom_fields` lists every field in error)",
    )


class OpenOwnCase(Strict):
    """A case the signed-in customer files from the site."""

    type: CaseType
    category_id: Id | None = None
    registration_id: Id | None = Field(
        default=None, description="one of your registered products, if the case is about it"
    )
    order_id: OrderId | None = Field(
        default=None, description="one of your orders, if the case is about it (docs/orders.md)"
    )
    shipment_id: OrderId | None = Field(
        default=None, description="a shipment of that order, if the case is about it"
    )
    subject: Text
    description: LongText

    @model_validator(mode="after")
    def _shipment_of_an_order(self) -> OpenOwnCase:
        if self.shipment_id and not self.order_id:
            raise ValueError("a shipment_id needs the order_id it belongs to")
        return self


class Settle(Strict):
    """The customer's answer to a resolution."""

    version: Version
    solved: bool
    comment: LongText | None = Field(default=None, description="needed when not solved")

    @model_validator(mode="after")
    def _say_why(self) -> Settle:
        if not self.solved and not self.comment:
            raise ValueError("say what is still wrong in comment")
        return self


class Claim(Strict):
    version: Version


class Seen(Strict):
    """The version of the case the agent has just looked at (clears its unread mark)."""

    version: Version


class Assign(Strict):
    version: Version
    group_id: Id | None = None
    assignee: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = Field(
        default=None, description="a staff username; null to unassign"
    )
    reason: Text | None = None

    @model_validator(mode="after")
    def _something_to_do(self) -> Assign:
        if "group_id" not in self.model_fields_set and "assignee" not in self.model_fields_set:
            raise ValueError("give group_id, assignee, or both")
        return self


#: files uploaded to the case's upload form, sent with a reply or a note (domain/attachments.py)
AttachmentIds = Annotated[list[Id], Field(max_length=MAX_FILES_PER_MESSAGE)]


class Comment(Strict):
    """`attachment_ids`: at most 5 files uploaded through the case's upload form (POST
    /cases/{id}/attachments), each re-checked and recorded in the message's own write; files
    on a note stay internal (docs/files-and-cc.md)."""

    version: Version
    body: LongText
    attachment_ids: AttachmentIds = Field(default_factory=list)


class Reply(Comment):
    """A public reply; `article_id`: the knowledge base article whose text it carries (staff
    only; the article's `inserted` counter moves with the reply)."""

    article_id: Id | None = None


class ChangeCc(Strict):
    """Replace the case's CC list: at most 10 email addresses that receive its public replies
    and whose mail lands on the case (an empty list clears it)."""

    version: Version
    cc: Annotated[list[Email], Field(max_length=MAX_CC)]


class ChangeFollowers(Strict):
    """Replace the case's followers: at most 20 staff usernames that hear of its updates."""

    version: Version
    followers: Annotated[list[Id], Field(max_length=MAX_FOLLOWERS)]


class LinkArticle(Strict):
    """Link a published knowledge base article to the case."""

    version: Version
    article_id: Id


class ChangeStatus(Strict):
    version: Version
    status: Status
    reason: Text | None = None


class BulkStatus(Strict):
    """Move several cases (up to 50), each at the version you read, to one status."""

    cases: list[TagRef] = Field(min_length=1, max_length=50)
    status: Status
    reason: Text | None = None


class UpdateCase(Strict):
    version: Version
    priority: Priority | None = None
    category_id: Id | None = None
    type: CaseType | None = None
    subject: Text | None = None
    reason: Text | None = None


class ChangeTags(Strict):
    """Add and/or remove free tags (each normalised: Turkish lowercase, trimmed, spaces as
    `-`, at most 64 bytes); a tag in both lists is refused."""

    version: Version
    add: TagList = Field(default_factory=list)
    remove: TagList = Field(default_factory=list)

    @model_validator(mode="after")
    def _something_once(self) -> ChangeTags:
        if not (self.add or self.remove):
            raise ValueError("give tags to add or remove")
        if set(self.add) & set(self.remove):
            raise ValueError("a tag cannot be both added and removed")
        return self


class TagRef(Strict):
    case_id: Id
    version: Version


class BulkTags(Strict):
    """Add and/or remove tags on several cases (up to 50), each at the version you read."""

    cases: list[TagRef] = Field(min_length=1, max_length=50)
    add: TagList = Field(default_factory=list)
    remove: TagList = Field(default_factory=list)

    @model_validator(mode="after")
    def _something_once(self) -> BulkTags:
        if not (self.add or self.remove):
            raise ValueError("give tags to add or remove")
        if set(self.add) & set(self.remove):
            raise ValueError("a tag cannot be both added and removed")
        return self


class SetCustomFields(Strict):
    """Set custom field values by key (null clears one); all are checked before anything is
    written."""

    version: Version
    values: Annotated[CustomValues, Field(min_length=1)]


class TagQuery(Strict):
    """`q`: the beginning of a tag as typed (Turkish letters or not); `limit`: how many."""

    q: Annotated[str, StringConstraints(max_length=64)] = ""
    limit: Annotated[int, Field(ge=1, le=50)] = 10


class ListCases(Strict):
    view: Literal["group", "pool", "mine", "agent", "customer", "overdue", "follow_up"] = "mine"
    group_id: Id | None = None
    status: Status | None = None
    agent: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
    customer_id: Id | None = None
    order: Literal["newest", "priority"] = "newest"
    within_minutes: Annotated[int, Field(ge=0, le=7 * 24 * 60)] = Field(
        default=0, description="overdue view: also cases due within this many minutes"
    )
    limit: Annotated[int, Field(ge=1, le=100)] = 25
    cursor: Annotated[str, StringConstraints(max_length=2048)] | None = None
    tag: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None, description="only cases with this tag (normalised as tags are)"
    )
    field: FieldKey | None = Field(
        default=None, description="only cases whose custom field `field` holds `value`"
    )
    value: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = None

    @model_validator(mode="after")
    def _field_and_value(self) -> ListCases:
        if (self.field is None) != (self.value is None):
            raise ValueError("give field and value together")
        return self


class PageParams(Strict):
    limit: Annotated[int, Field(ge=1, le=100)] = 25
    cursor: Annotated[str, StringConstraints(max_length=2048)] | None = None
