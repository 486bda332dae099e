"""What callers send about pre-cases, social posts and the shop's cases and chats.

Only request models live here: the API registers its routes with them at import,
while the services that act on them load on first use (cold-start budget, bench/).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints, model_validator

from ..domain.case_kinds import CaseType, Channel, Priority
from ..domain.charsets import strip_c1
from ..domain.limits import CHAT_TEXT_BYTES, SOCIAL_TEXT_BYTES, max_bytes
from .case_commands import (
    CallerDetails,
    CustomerNumber,
    Id,
    LongText,
    PageParams,
    Strict,
    Text,
    Version,
)

MAX_BATCH = 100
Username = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$")]
Ref = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$")]
Platform = Annotated[str, StringConstraints(to_lower=True, pattern=r"^[A-Za-z0-9_-]{1,32}$")]
Url = Annotated[str, StringConstraints(max_length=2048, pattern=r"^https?://\S+$")]


class PoolQuery(PageParams):
    channel: Channel | None = None
    order: Literal["oldest", "newest"] = Field(default="oldest", description="by time received")


class Claim(Strict):
    version: Version


class PreCaseRef(Strict):
    id: Id
    version: Version


class Distribute(Strict):
    """A supervisor hands several pre-cases to one agent at once."""

    agent: Username
    precases: list[PreCaseRef] = Field(min_length=1, max_length=50)


class Convert(Strict):
    version: Version
    customer: CallerDetails | None = Field(
        default=None,
        description="who the case is for; default: the customer the sender matched, or a new"
        " customer made from the sender's name, email and phone",
    )
    type: CaseType | None = Field(default=None, description="default: the pre-case's likely type")
    subject: Text | None = Field(default=None, description="default: the pre-case's subject")
    category_id: Id | None = None
    priority: Priority = Priority.NORMAL
    group_id: Id | None = Field(default=None, description="send straight to this group")


class SetAside(Strict):
    version: Version
    outcome: Literal["spam", "duplicate"]
    duplicate_of: Annotated[str, Field(max_length=64)] | None = Field(
        default=None, description="the case (number or id) it repeats; needed for duplicate"
    )

    @model_validator(mode="after")
    def _name_the_original(self) -> SetAside:
        if self.outcome == "duplicate" and not self.duplicate_of:
            raise ValueError("say which case it duplicates in duplicate_of")
        return self


class ShopSocialPost(Strict):
    """One post, from any platform, in one shape."""

    platform: Platform = Field(description="x, instagram, facebook, tiktok, sikayetvar, ...")
    kind: Literal["mention", "direct_message"] = "mention"
    author_handle: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                    max_length=100)]  # fmt: skip
    author_name: Annotated[str, StringConstraints(max_length=200)] | None = None
    text: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=5000),
        AfterValidator(strip_c1),
        AfterValidator(max_bytes(SOCIAL_TEXT_BYTES)),
    ]
    url: Url
    posted_at: AwareDatetime
    customer_number: CustomerNumber | None = Field(
        default=None, description="when the shop knows whose account wrote it"
    )


class SocialPostBatch(Strict):
    items: Annotated[list[ShopSocialPost], Field(min_length=1, max_length=MAX_BATCH)]


class TopicQuery(Strict):
    days: Annotated[int, Field(ge=1, le=31)] = 7


class ShopCase(Strict):
    """A case the shop opens for one of its customers; it lands in the pre-case pool."""

    customer_number: CustomerNumber
    type: CaseType
    subject: Text
    description: LongText
    reference: Ref | None = Field(default=None, description="the shop's own id for it")
    order_id: Ref | None = None


class ShopChatMessage(Strict):
    author: Literal["customer", "bot", "agent"]
    text: Annotated[str, StringConstraints(min_length=1, max_length=4000), AfterValidator(strip_c1)]
    at: AwareDatetime


class ShopChat(Strict):
    """A chatbot conversation; sending it again with more messages replaces it."""

    transcript_id: Ref
    customer_number: CustomerNumber
    bot: Text = "chatbot"
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = None
    outcome: Literal["answered", "handed_over", "abandoned"] = "answered"
    messages: Annotated[list[ShopChatMessage], Field(min_length=1, max_length=500)]

    @model_validator(mode="after")
    def _fits_one_item(self) -> ShopChat:
        """A transcript is one item: its messages together are bounded in UTF-8 bytes."""
        max_bytes(CHAT_TEXT_BYTES)("".join(m.text for m in self.messages))
        return self
