"""Signed job webhooks (Standard Webhooks, https://www.standardwebhooks.com): the secrets that
sign them, the callback a job is created with, the event its end sends and that event's headers.

A secret is WEBHOOK_SECRET, or the one WEBHOOK_SECRETS_FILE gives the API key that created the
job (`key-name:whsec_…` lines, names as API_KEYS_FILE's): a newsroom site verifies with its own
secret and cannot forge another's webhooks. That file is separate from API_KEYS_FILE, which
holds only hashes of keys, because a signing secret must be kept in clear. A job stores which
secret signs it (never the secret itself); each worker reads the secrets from its own settings."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from standardwebhooks import Webhook

from service.auth import named_lines
from service.config import Settings
from service.exceptions import WebhooksNotConfigured
from service.jobs.destinations import check_url

DEFAULT_SIGNER = "default"  # WEBHOOK_SECRET; an API key's own secret is "key:" + its name
USER_AGENT = "Precis-Webhooks/1"


@dataclass(frozen=True)
class Callback:
    """A job's webhook as stored with it: where, which secret signs it, the id every attempt sends."""

    url: str
    signer: str
    webhook_id: str


def check_secret(secret: str, where: str) -> None:
    """A Standard Webhooks secret: `whsec_` + base64 of 24 to 64 bytes. The message names
    where it came from, never the secret."""
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except binascii.Error:
        key = b""
    if not secret.startswith("whsec_") or not 24 <= len(key) <= 64:
        raise ValueError(f"{where}: a webhook secret is `whsec_` + base64 of 24 to 64 random bytes")


@dataclass(frozen=True)
class WebhookSecrets:
    default: str | None = None
    by_key: tuple[tuple[str, str], ...] = ()  # (API key name, secret)

    @classmethod
    def load(cls, settings: Settings) -> WebhookSecrets:
        default = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        if default is not None:
            check_secret(default, "WEBHOOK_SECRET")
        entries: list[tuple[str, str]] = []
        if settings.webhook_secrets_file:
            path = settings.webhook_secrets_file
            for number, name, secret in named_lines(path):
                if not name:
                    raise ValueError(f"{path}:{number}: expected 'key-name:whsec_…'")
                check_secret(secret, f"{path}:{number}")
                entries.append((name, secret))
        return cls(default, tuple(entries))

    def signer_for(self, key_name: str | None) -> str | None:
        """Which secret signs the webhooks of jobs this API key creates (None: no secret would)."""
        if key_name and any(name == key_name for name, _ in self.by_key):
            return "key:" + key_name
        return DEFAULT_SIGNER if self.default else None

    def secret(self, signer: str) -> str | None:
        if signer == DEFAULT_SIGNER:
            return self.default
        return next((secret for name, secret in self.by_key if "key:" + name == signer), None)


def new_callback(url: str, key_name: str | None, settings: Settings, secrets: WebhookSecrets) -> Callback:
    """A job's callback, checked at submit: CallbackRefused for the URL, WebhooksNotConfigured
    where no secret would sign it (a webhook is never sent unsigned)."""
    check_url(url, settings.webhook_allowed_hosts)
    signer = secrets.signer_for(key_name)
    if signer is None:
        raise WebhooksNotConfigured(
            "callback_url needs a secret to sign the webhook and this server has none"
            + (" for this API key" if secrets.by_key else "")
            + ": set WEBHOOK_SECRET (or a line for the API key in WEBHOOK_SECRETS_FILE)."
        )
    return Callback(url.strip(), signer, "msg_" + uuid.uuid4().hex)


def event_body(view: dict[str, Any], now: datetime) -> str:
    """The webhook's body: the job's end, and its status view as GET /v1/jobs/{id} answered then."""
    event = {"type": f"job.{view['status']}", "timestamp": view.get("finished_at") or now.isoformat(), "data": view}
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


def signed_headers(secret: str, webhook_id: str, body: str, now: datetime) -> dict[str, str]:
    """Standard Webhooks' headers for one attempt: the same id every time, this attempt's time,
    and `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`."""
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(webhook_id, now, body),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }
