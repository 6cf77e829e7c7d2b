"""Where a webhook may go: public addresses only, unless the administrator lists the host
(settings.webhook_allowed_hosts). Checked when an endpoint is saved and again at each delivery,
after resolving the name, on the very addresses the request may then connect to (delivery pins
one of them, so a DNS answer that changes in between, a rebinding, cannot slip past)."""
import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import httpx

from openvmi.alerts import rules
from openvmi.alerts.rules import Address
from openvmi.errors import FieldError, InvalidInput, Reason, RuleViolation

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[Address]]
DEFAULT_PORTS = {"http": 80, "https": 443}


class TargetRefused(RuleViolation):
    code = "webhook_target_refused"

    def __init__(self, reason: Reason) -> None:
        self.reason = reason
        super().__init__(reason)


def resolve(host: str, port: int) -> list[Address]:
    """Every address the name `host` stands for, as the system resolver answers."""
    return _addresses(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))


def literal(host: str, port: int) -> list[Address] | None:
    """The address an IP address in any spelling the system accepts stands for (2130706433 and
    0x7f.1 are 127.0.0.1), found without asking DNS; None for a name."""
    try:
        return _addresses(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST))
    except (socket.gaierror, UnicodeError, ValueError):
        return None


def _addresses(answers: list) -> list[Address]:
    return list(dict.fromkeys(ipaddress.ip_address(answer[4][0]) for answer in answers))


@dataclass(frozen=True)
class WebhookTargets:
    """The administrator's exceptions: host names trusted whatever they resolve to, and addresses
    or networks allowed however they are named."""

    names: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()
    resolver: Resolver | None = None  # None: the system's, through `resolve`

    @classmethod
    def allowing(cls, entries: Iterable[str], *, resolver: Resolver | None = None) -> "WebhookTargets":
        names, networks = set(), []
        for entry in (entry.strip() for entry in entries):
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                names.add(_plain(entry))
        return cls(names=frozenset(names), networks=tuple(networks), resolver=resolver)

    def check(self, url: str, *, must_resolve: bool) -> tuple[httpx.URL, list[Address]]:
        """The parsed URL and the addresses a webhook to it may connect to. Raises TargetRefused when
        one of them is not allowed, or when the host does not resolve and `must_resolve` (at
        delivery; when an endpoint is saved, its name may not exist yet)."""
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as error:
            raise TargetRefused(Reason(rules.INVALID_URL)) from error
        host, port = _plain(parsed.host), parsed.port or DEFAULT_PORTS.get(parsed.scheme, 80)
        found = literal(host, port)
        if found is None:
            try:
                found = (self.resolver or resolve)(host, port)
            except (OSError, UnicodeError, ValueError):
                found = []
        if not found and must_resolve:
            raise TargetRefused(Reason(rules.HOST_UNRESOLVED, host=host))
        if host not in self.names:
            for address in found:
                refusal = None if self._listed(address) else rules.address_refusal(address)
                if refusal is not None:
                    raise TargetRefused(Reason(refusal, host=_label(host, address)))
        return parsed, found

    def check_endpoint_url(self, url: str) -> None:
        """Refuse an endpoint's URL (InvalidInput on `url`) whose host is, or resolves to, an address
        webhooks may not reach. A name that does not resolve yet is accepted: each delivery checks."""
        try:
            self.check(url, must_resolve=False)
        except TargetRefused as refused:
            raise InvalidInput([FieldError("url", refused.reason)]) from refused

    def _listed(self, address: Address) -> bool:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address.version == network.version and address in network for network in self.networks)


def _label(host: str, address: Address) -> str:
    """The host as written and, when it is a name or an unusual spelling, the address it stands for."""
    try:
        if ipaddress.ip_address(host) == address:
            return host
    except ValueError:
        pass
    return f"{host} ({address})"


def _plain(host: str) -> str:
    """A host as compared with the list: lower case, without brackets or the root's trailing dot."""
    return host.strip("[]").rstrip(".").lower()
