"""Email through SES and SMS through SNS (numbers already in E.164)."""

from __future__ import annotations


class AwsSender:
    def __init__(self, from_address: str, reply_to: str = "") -> None:
        self.from_address = from_address
        #: the support address SES receives for: a customer's reply reaches the mail handler
        self.reply_to = reply_to

    def email(self, to: str, subject: str, body: str) -> str:
        from ..store.aws import client

        reply_to = {"ReplyToAddresses": [self.reply_to]} if self.reply_to else {}
        sent = client("ses").send_email(
            Source=self.from_address,
            Destination={"ToAddresses": [to]},
            **reply_to,
            Message={
                "Subject": {"Data": subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": body, "Charset": "UTF-8"}},
            },
        )
        return sent["MessageId"]

    def sms(self, to: str, body: str) -> str:
        from ..store.aws import client

        sent = client("sns").publish(
            PhoneNumber=to,
            Message=body,
            MessageAttributes={
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
            },
        )
        return sent["MessageId"]
