"""Optional API keys: `Authorization: Bearer KEY`, compared in constant time.

Keys come from API_KEYS (comma-separated keys) and/or API_KEYS_FILE (one key per line as
`name:sha256-hex` or `sha256-hex`, so the file never holds a usable key). With neither,
auth is off. Routes in AUTH_OPEN_ROUTES (health, readiness, metrics, docs by default)
stay open."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def named_lines(path: str) -> Iterator[tuple[int, str, str]]:
    """(line number, name, value) of each `name:value` line of a keys or secrets file (API_KEYS_FILE,
    WEBHOOK_SECRETS_FILE); blank lines and # comments are skipped; a line without a name gives ''."""
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(":")
            yield number, name, value


@dataclass(frozen=True)
class ApiKeys:
    hashes: tuple[tuple[str, str], ...] = ()  # (sha256 hex, key name)

    @property
    def enabled(self) -> bool:
        return bool(self.hashes)

    @classmethod
    def load(cls, raw_keys: str, keys_file: str) -> ApiKeys:
        entries = [(hash_key(k.strip()), f"key{i}") for i, k in enumerate(raw_keys.split(",")) if k.strip()]
        if keys_file:
            for number, name, value in named_lines(keys_file):
                digest = value.lower()
                if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                    raise ValueError(f"{keys_file}:{number}: expected 'name:sha256-hex' or 'sha256-hex'")
                entries.append((digest, name or f"file{number}"))
        return cls(tuple(entries))

    def identify(self, presented: str) -> str | None:
        """The name of the key presented, or None. Every stored key is compared, in constant time."""
        digest = hash_key(presented)
        found = None
        for stored, name in self.hashes:
            if hmac.compare_digest(stored, digest):
                found = name
        return found
