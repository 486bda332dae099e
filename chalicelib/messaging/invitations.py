"""A new staff member's invitation: user name, temporary password and the console's address.

Rendered from `templates/messages/<language>/staff_invitation.j2` (its `subject` and `email`
blocks) and sent through SES like every notice. Staff read the console in Turkish unless
told otherwise, so the invitation is Turkish and names the English console too.
"""

from __future__ import annotations

from ..domain.directory import StaffMember
from ..domain.links import console_url
from ..services.ports import Renderer, Sender

TEMPLATE = "staff_invitation"


class MailedInvitations:
    def __init__(self, sender: Sender, renderer: Renderer, language: str = "tr") -> None:
        self.sender = sender
        self.renderer = renderer
        self.language = language

    def invite(self, member: StaffMember, password: str, console: str) -> None:
        """Raises whatever the sender raises: the caller then writes no directory entry, and
        sending the same request again re-issues the password and the mail."""
        if not member.email:
            return
        text = self.renderer.render(
            TEMPLATE,
            self.language,
            {
                "name": member.name,
                "username": member.username,
                "password": password,
                "console_url": console_url(console, self.language),
                "console_url_en": console_url(console, "en"),
            },
        )
        self.sender.email(member.email, text.subject, text.email)
