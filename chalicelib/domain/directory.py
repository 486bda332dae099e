"""Departments (groups) and the staff who work in them."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Group(BaseModel):
    id: str
    name: str
    members: list[str] = Field(default_factory=list)  # staff usernames
    supervisors: list[str] = Field(default_factory=list)
    is_default: bool = False
    calendar_id: str | None = None
    #: optional automatic assignment of routed cases to members
    auto_assign: str | None = None
    version: int = 1

    def has_member(self, username: str) -> bool:
        return username in self.members or username in self.supervisors


class StaffMember(BaseModel):
    username: str
    name: str
    email: str | None = None
    roles: list[str] = Field(default_factory=list)
