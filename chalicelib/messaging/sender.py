"""Email through SES (API v2) and SMS through SNS (numbers already in E.164).

Every notice says it was sent by a machine (RFC 3834 `Auto-Submitted: auto-generated`,
Exchange's `X-Auto-Response-Suppress: All`), so well-behaved mail systems send no
out-of-office reply to it, and carries destek's own `X-Destek-Loop` stamp, which marks
it as ours if a customer's auto-forward sends it back. With a configuration set, SES
reports bounces and complaints of each notice to the inbound mail queue (infra/).
"""

from __future__ import annotations

#: what every notice carries (see the module docstring)
HEADERS = (
    ("Auto-Submitted", "auto-generated"),
    ("X-Auto-Response-Suppress", "All"),
    ("X-Destek-Loop", "notice"),
)


class AwsSender:
    def __init__(self, from_address: str, reply_to: str = "", configuration_set: str = "") -> None:
        self.from_address = from_address
        #: the support address SES receives for: a customer's reply reaches the mail handler
        self.reply_to = reply_to
        #: the SES configuration set whose event destination reports bounces and complaints
        self.configuration_set = configuration_set

    def email(
        self, to: str, subject: str, body: str, html: str | None = None,
        headers: list[tuple[str, str]] | None = None,
    ) -> str:  # fmt: skip
        """Plain text `body`, with `html` as the alternative part when given (a
        multipart/alternative message: a reader that shows HTML shows it); `headers` are
        added to HEADERS (a survey's List-Unsubscribe, RFC 8058)."""
        from ..domain.emails import ascii_address
        from ..store.aws import client

        sesv2 = client("sesv2")
        content: dict = {"Text": {"Data": body, "Charset": "UTF-8"}}
        if html is not None:
            content["Html"] = {"Data": html, "Charset": "UTF-8"}
        message: dict = {"Subject": {"Data": subject, "Charset": "UTF-8"}, "Body": content}
        # custom headers arrived in SES's API in 2024; an older SDK in the Lambda runtime
        # sends the notice without them rather than not at all
        if "Headers" in sesv2.meta.service_model.shape_for("Message").members:
            message["Headers"] = [
                {"Name": name, "Value": value} for name, value in (*HEADERS, *(headers or ()))
            ]
        extra: dict = {}
        if self.reply_to:
            extra["ReplyToAddresses"] = [self.reply_to]
        if self.configuration_set:
            extra["ConfigurationSetName"] = self.configuration_set
        sent = sesv2.send_email(
            FromEmailAddress=self.from_address,
            Destination={"ToAddresses": [ascii_address(to)]},
            Content={"Simple": message},
            **extra,
        )
        return sent["MessageId"]

    def sms(self, to: str, body: str, promotional: bool = False) -> str:
        """`promotional`: a planned survey, a commercial message (SNS's SMS type; AWS may
        route it more cheaply and never through a transactional-only sender)."""
        from ..store.aws import client

        sent = client("sns").publish(
            PhoneNumber=to,
            Message=body,
            MessageAttributes={
                "AWS.SNS.SMS.SMSType": {
                    "DataType": "String",
                    "StringValue": "Promotional" if promotional else "Transactional",
                }
            },
        )
        return sent["MessageId"]
