"""Where a job's webhook may go: http(s) only, and never to a private, loopback or link-local
address (nor any other that is not public unicast) unless WEBHOOK_ALLOWED_HOSTS lists the
host, so that a job cannot make Précis call into the network it runs in.

The URL is checked at submit as written (an IP literal in any form the resolver reads,
`localhost`), without DNS, and again at delivery on every address its name resolves to. The
delivery then connects to the address it checked (the name stays in the Host header and the
TLS server name), so a DNS answer that changes in between cannot send it elsewhere."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import SplitResult, urlsplit

from service.exceptions import CallbackRefused

MAX_URL_CHARS = 2048
DEFAULT_PORTS = {"http": 80, "https": 443}
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Destination:
    """A checked callback URL, and the address to connect to (None: an allowlisted host,
    which the HTTP client resolves itself)."""

    parts: SplitResult
    host: str  # lowercase, without brackets or a trailing dot
    port: int
    address: str | None

    def request(self) -> tuple[str, dict[str, str], dict[str, str]]:
        """(URL to connect to, headers, client extensions) that reach `address` under the URL's name."""
        if self.address is None or self.address == self.host:
            return self.parts.geturl(), {}, {}
        literal = f"[{self.address}]" if ":" in self.address else self.address
        url = self.parts._replace(netloc=f"{literal}:{self.port}").geturl()
        name = f"[{self.host}]" if ":" in self.host else self.host
        extensions = {"sni_hostname": self.host} if self.parts.scheme == "https" else {}
        return url, {"Host": f"{name}:{self.port}" if self.parts.port else name}, extensions


def check_url(url: str, allowed_hosts: Sequence[str]) -> Destination:
    """The URL as a destination, or CallbackRefused saying why not (no DNS lookup here)."""
    if len(url) > MAX_URL_CHARS:
        raise CallbackRefused(f"callback_url is longer than {MAX_URL_CHARS} characters.")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise CallbackRefused(f"callback_url is not a valid URL ({exc}).") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise CallbackRefused(f"callback_url must be an http or https URL, not {scheme + ':' if scheme else 'this'}.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise CallbackRefused("callback_url names no host.")
    destination = Destination(parts._replace(scheme=scheme), host, port or DEFAULT_PORTS[scheme], None)
    if is_allowed(host, allowed_hosts):
        return destination
    address = _literal(host)
    if address is not None:
        _refuse_unless_public(host, address)
        return replace(destination, address=str(address))
    if host == "localhost" or host.endswith(".localhost"):  # RFC 6761: always loopback
        raise CallbackRefused(_refusal(host, "is a loopback name"))
    return destination


def resolve(url: str, allowed_hosts: Sequence[str]) -> Destination:
    """At delivery: the URL checked again, its name resolved and every address checked.
    Raises CallbackRefused (never worth retrying) or OSError (DNS failed: worth retrying)."""
    destination = check_url(url, allowed_hosts)
    if destination.address is not None or is_allowed(destination.host, allowed_hosts):
        return destination
    found = socket.getaddrinfo(destination.host, destination.port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    for address in addresses:
        _refuse_unless_public(destination.host, ipaddress.ip_address(address))
    return replace(destination, address=addresses[0])


def is_allowed(host: str, allowed_hosts: Sequence[str]) -> bool:
    """Whether WEBHOOK_ALLOWED_HOSTS lists the host (names without case; addresses by value)."""
    host = host.lower().rstrip(".")
    address = _literal(host)
    for entry in allowed_hosts:
        entry = entry.strip().strip("[]").lower().rstrip(".")
        listed = _literal(entry)
        if entry == host or (address is not None and listed is not None and listed == address):
            return True
    return False


def _literal(host: str) -> IPAddress | None:
    """The address a host names literally: IPv6, IPv4, or IPv4 in a form the resolver reads as
    one (`2130706433`, `127.1`, `0x7f.1`)."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _refuse_unless_public(host: str, address: IPAddress) -> None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if not address.is_global or address.is_multicast:
        what = "private, loopback, link-local or reserved address"
        said = f"is a {what}" if _literal(host) is not None else f"resolves to {address}, a {what}"
        raise CallbackRefused(_refusal(host, said))


def _refusal(host: str, what: str) -> str:
    return f"callback_url: {host} {what}; list the host in WEBHOOK_ALLOWED_HOSTS to allow it."
