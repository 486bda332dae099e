"""What a case is (type), where it came from (channel) and how urgent it is (priority)."""

from __future__ import annotations

from enum import StrEnum


class CaseType(StrEnum):
    COMPLAINT = "complaint"
    REQUEST = "request"
    SUGGESTION = "suggestion"
    QUESTION = "question"


class Channel(StrEnum):
    WEB = "web"
    PHONE = "phone"
    EMAIL = "email"
    API = "api"
    SOCIAL = "social"
    CHAT = "chat"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"
