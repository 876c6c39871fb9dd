"""Channels beyond the inbox. E-mail is built in: an RFC 5322 message (stdlib `email`), written
as an .eml file under var/mail/ (the embedded default: no mail server needed, any mail client
opens them) or sent over SMTP when `smtp_host` is set (aiosmtplib); its Message-ID is made from
the delivery id, so a message sent again after a crash is the same message to the receiver.
Every other channel is a plugin's (gpcloud_notification_channels /
gpcloud_deliver_notification), called through the tenant's hook caller, so only plugins the
province approved for the recipient's tenant deliver.
"""

from __future__ import annotations

import asyncio
import os
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from pathlib import Path

import aiosmtplib

from gpcloud.core.notifications.templates import EMAIL, chinese_date
from gpcloud.core.plugins.hooks import tenant_context, tenant_hooks
from gpcloud.settings import Settings, get_settings

BUILT_IN = {EMAIL: "电子邮件"}
RESERVED = {"inbox", *BUILT_IN}

FOOTER = (
    "本邮件由广东政府采购智慧云平台自动发送，请勿直接回复。登录平台可在“我的消息”中查看全部通知。"
)


class PermanentFailure(Exception):
    """A delivery no retry can make succeed: no usable address, refused by the mail server, no
    active plugin for the channel."""


def text(notification: dict) -> str:
    parts = [notification["body"]]
    if notification["due"]:
        due = chinese_date(date.fromisoformat(notification["due"]))
        parts.append(f"办理期限：{due}")
        if notification["due_explanation"]:
            parts.append(f"期限说明：{notification['due_explanation']}")
    parts.append(f"-- \n{FOOTER}")
    return "\n\n".join(parts) + "\n"


def build(notification: dict, recipient: dict, settings: Settings) -> EmailMessage:
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "localhost"
    message = EmailMessage(policy=SMTP)
    try:
        message["To"] = Address(
            display_name=recipient["display_name"] or recipient["username"],
            addr_spec=recipient["email"],
        )
    except (ValueError, IndexError) as exc:
        raise PermanentFailure(f"no usable e-mail address: {recipient['email']!r}") from exc
    message["From"] = settings.mail_from
    message["Subject"] = notification["subject"]
    message["Date"] = format_datetime(datetime.fromisoformat(notification["created_at"]))
    message["Message-ID"] = f"<notification-delivery-{notification['delivery_id']}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    message.set_content(text(notification))
    return message


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    os.replace(partial, path)  # a reader never sees half a message


async def send_email(notification: dict, recipient: dict) -> str:
    """Send (or write) the message; return its Message-ID or the .eml file's path under var/."""
    settings = get_settings()
    if not recipient["email"]:
        raise PermanentFailure("the account has no e-mail address")
    message = build(notification, recipient, settings)
    if not settings.smtp_host:
        relative = Path("mail") / recipient["tenant"] / f"{notification['delivery_id']}.eml"
        await asyncio.to_thread(_write, settings.var / relative, message.as_bytes())
        return str(relative)
    try:
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=settings.smtp_password or None,
            use_tls=settings.smtp_security == "tls",
            start_tls=settings.smtp_security == "starttls",
            timeout=settings.smtp_timeout_seconds,
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        if all(refused.code >= 500 for refused in exc.recipients):
            raise PermanentFailure(f"the mail server refused {recipient['email']}") from exc
        raise
    return message["Message-ID"]


async def available(tenant: str) -> dict[str, str]:
    """Channel name -> title, for the users of `tenant`: e-mail and its active plugins' ones."""
    found = dict(BUILT_IN)
    hooks = await tenant_hooks(tenant)
    if hooks.active:
        context = await tenant_context(tenant)
        outcome = hooks.call_robust("gpcloud_notification_channels", tenant=context)
        for answer in outcome.answers:
            for channel in answer.value:
                if channel.get("name") and channel["name"] not in RESERVED:
                    found.setdefault(str(channel["name"]), str(channel.get("title", "")))
    return found


async def deliver(channel: str, notification: dict, recipient: dict) -> str:
    """Hand the notification over on `channel`; return the channel's reference for it.
    Raises PermanentFailure when no retry can help, anything else to be retried."""
    if channel == EMAIL:
        return await send_email(notification, recipient)
    tenant = recipient["tenant"]
    hooks = await tenant_hooks(tenant)
    answer = None
    if hooks.active:
        answer = await asyncio.to_thread(
            hooks.call,
            "gpcloud_deliver_notification",
            channel=channel,
            notification=notification,
            recipient=recipient,
            tenant=await tenant_context(tenant),
        )
    if answer is None:
        raise PermanentFailure(f"no active plugin of {tenant} delivers over {channel}")
    return f"{answer.plugin}:{answer.value.get('reference', '')}"
