"""Where the platform may send institutions' webhooks: never into its own network (SSRF).

An institution chooses its webhook URL, so a careless or hostile one could make the platform
POST to its database, Redis, a cloud metadata service (169.254.169.254) or an admin port on
localhost. A URL is checked when it is set and again at every delivery:

- http or https only, a host, no credentials (user:password@), at most 300 characters;
- the host resolved (DNS) and every address it resolves to public: loopback, private,
  link-local, multicast, reserved, unspecified, shared (100.64/10) and the IPv4 addresses
  carried in IPv6 (IPv4-mapped ::ffff:a.b.c.d, 6to4 2002::/16, NAT64 64:ff9b::/96) are refused;
- the delivery connects to the address that was checked, not to the name: the request goes to
  the IP literal with the original Host header and TLS server name (certificate checked against
  the name), so a second lookup answering otherwise (DNS rebinding) cannot redirect it.
  Redirects are not followed and no proxy from the environment is used.

The deployment may allow some private networks for a test receiver (setting
`webhook_allowed_networks`, empty in production).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from gpcloud.core.errors import DomainError
from gpcloud.settings import get_settings

MAX_LENGTH = 300
RESOLVE_SECONDS = 5.0  # a resolver that does not answer holds no delivery (or request) longer
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")
SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)


@dataclass(frozen=True)
class Target:
    """A checked URL and the addresses its host resolved to (all allowed)."""

    url: str
    scheme: str
    host: str  # as written (a name or a literal), lower case
    port: int
    target: str  # path and query, as sent
    addresses: tuple[Address, ...]

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"

    def url_for(self, address: Address) -> str:
        literal = f"[{address}]" if address.version == 6 else str(address)
        return f"{self.scheme}://{literal}:{self.port}{self.target}"


def parse(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path and query) of a well-formed webhook URL, or WEBHOOK_URL_*."""
    text = url.strip()
    if not text or len(text) > MAX_LENGTH or any(c.isspace() or ord(c) < 32 for c in text):
        raise DomainError(
            "INVALID_URL", f"an http(s) URL of at most {MAX_LENGTH} characters", "url"
        )
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise DomainError("INVALID_URL", "the URL cannot be read", "url") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise DomainError("WEBHOOK_URL_SCHEME", "only http and https URLs are allowed", "url")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise DomainError(
            "WEBHOOK_URL_CREDENTIALS", "the URL must not carry a user name or password", "url"
        )
    host = (parts.hostname or "").lower()
    if not host:
        raise DomainError("INVALID_URL", "the URL names no host", "url")
    scheme = parts.scheme.lower()
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port or (443 if scheme == "https" else 80), target


def embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64), if any."""
    if address.version != 6:
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _public(address: Address) -> bool:
    if (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    ):
        return False
    if address.version == 4 and address in SHARED:
        return False
    if address.version == 6 and address.is_site_local:
        return False
    return address.is_global


def allowed(address: Address) -> bool:
    """Public, or in a network the deployment allows (a test receiver)."""
    inner = embedded_ipv4(address)
    networks = get_settings().webhook_allowed_networks
    if any(address in n for n in networks if n.version == address.version):
        return True
    if inner is not None:
        if any(inner in n for n in networks if n.version == 4):
            return True
        return _public(inner) and _public(address)
    return _public(address)


async def resolve(host: str, port: int) -> list[Address]:
    """Every address `host` resolves to (a literal is itself): WEBHOOK_HOST_UNRESOLVED."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        async with asyncio.timeout(RESOLVE_SECONDS):
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
            )
    except (OSError, UnicodeError, TimeoutError):
        raise DomainError(
            "WEBHOOK_HOST_UNRESOLVED", f"the host {host} cannot be resolved", "url"
        ) from None
    found: list[Address] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in found:
            found.append(address)
    if not found:
        raise DomainError("WEBHOOK_HOST_UNRESOLVED", f"the host {host} cannot be resolved", "url")
    return found


async def check(url: str) -> Target:
    """The URL checked as a webhook destination, its host resolved once: WEBHOOK_HOST_FORBIDDEN
    when any address it resolves to is not public (one bad answer is enough: a resolver
    answering several addresses may be made to hand out the bad one next)."""
    scheme, host, port, target = parse(url)
    addresses = await resolve(host, port)
    bad = [a for a in addresses if not allowed(a)]
    if bad:
        raise DomainError(
            "WEBHOOK_HOST_FORBIDDEN",
            f"{host} resolves to {bad[0]}, an address of a private or reserved network: "
            "webhooks go to public addresses only",
            "url",
        )
    return Target(url.strip(), scheme, host, port, target, tuple(addresses))


async def post(target: Target, body: bytes, headers: dict, seconds: float) -> httpx.Response:
    """POST to the first checked address that takes the connection, never to the name."""
    error: Exception | None = None
    async with httpx.AsyncClient(timeout=seconds, trust_env=False, follow_redirects=False) as c:
        for address in target.addresses:
            extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
            try:
                return await c.post(
                    target.url_for(address),
                    content=body,
                    headers={**headers, "host": target.host_header},
                    extensions=extensions,
                )
            except httpx.ConnectError as exc:
                error = exc
    assert error is not None
    raise error
