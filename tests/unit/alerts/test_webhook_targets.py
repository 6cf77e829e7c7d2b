"""Which addresses a webhook may reach: public ones, and what the administrator lists. IP addresses
are checked in every spelling, names by what they resolve to (no test asks a DNS server: see
tests/conftest.py; names here resolve through a table)."""
import ipaddress
import socket

import pytest

from openvmi.alerts.rules import (
    LINK_LOCAL, LOOPBACK, METADATA, NOT_PUBLIC, PRIVATE, address_refusal,
)
from openvmi.alerts.targets import TargetRefused, WebhookTargets
from openvmi.errors import InvalidInput


def names(table: dict[str, list[str]]):
    """A resolver answering from `table` instead of DNS."""
    def resolve(host: str, port: int) -> list:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [ipaddress.ip_address(address) for address in table[host]]
    return resolve


@pytest.mark.parametrize(("address", "refusal"), [
    ("127.0.0.1", LOOPBACK), ("127.8.9.10", LOOPBACK), ("::1", LOOPBACK),
    ("10.1.2.3", PRIVATE), ("172.31.255.1", PRIVATE), ("192.168.0.10", PRIVATE), ("fd12:3456::1", PRIVATE),
    ("100.64.0.1", PRIVATE),  # carrier-grade NAT, inside someone's network
    ("169.254.1.1", LINK_LOCAL), ("fe80::1", LINK_LOCAL),
    ("169.254.169.254", METADATA), ("fd00:ec2::254", METADATA), ("100.100.100.200", METADATA),
    ("168.63.129.16", METADATA),  # Azure's is a public address
    ("0.0.0.0", NOT_PUBLIC), ("::", NOT_PUBLIC), ("224.0.0.1", NOT_PUBLIC), ("ff02::1", NOT_PUBLIC),
    ("240.0.0.1", NOT_PUBLIC), ("255.255.255.255", NOT_PUBLIC), ("192.0.2.1", NOT_PUBLIC), ("fec0::1", NOT_PUBLIC),
    # IPv6 spellings of IPv4 addresses: mapped, NAT64 (a gateway would take it to the metadata service), 6to4
    ("::ffff:127.0.0.1", LOOPBACK), ("::ffff:a00:1", PRIVATE), ("64:ff9b::a9fe:a9fe", METADATA),
    ("2002:7f00:1::", LOOPBACK),
    ("8.8.8.8", None), ("2606:4700:4700::1111", None), ("64:ff9b::808:808", None),
])
def test_what_each_kind_of_address_is(address, refusal):
    assert address_refusal(ipaddress.ip_address(address)) == refusal


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/hook", "http://2130706433/hook", "http://0x7f000001/hook", "http://127.1/hook",
    "http://0x7f.1/hook", "http://[::1]/hook", "http://[::ffff:127.0.0.1]/hook", "http://[::ffff:7f00:1]:8080/",
    "http://user@127.0.0.1/hook", "http://0/hook",
])
def test_loopback_is_refused_in_every_spelling(url):
    with pytest.raises(TargetRefused):
        WebhookTargets().check(url, must_resolve=False)


def test_a_name_is_judged_by_every_address_it_resolves_to():
    targets = WebhookTargets(resolver=names({"erp.example.test": ["8.8.4.4", "10.0.0.5"],
                                             "api.example.test": ["8.8.4.4"]}))

    with pytest.raises(TargetRefused) as refused:
        targets.check("https://erp.example.test/hook", must_resolve=True)

    assert str(refused.value) == "erp.example.test (10.0.0.5) is a private network address"
    assert targets.check("https://api.example.test/hook", must_resolve=True)[1] == [ipaddress.ip_address("8.8.4.4")]


def test_a_name_that_does_not_resolve_may_be_saved_but_is_not_delivered_to():
    targets = WebhookTargets(resolver=names({}))

    assert targets.check("https://later.example.test/hook", must_resolve=False)[1] == []
    with pytest.raises(TargetRefused, match="could not resolve later.example.test"):
        targets.check("https://later.example.test/hook", must_resolve=True)


def test_the_administrator_lists_names_addresses_and_networks():
    targets = WebhookTargets.allowing(["ERP.corp.example.", "127.0.0.1", "10.1.2.0/24", "[::1]"],
                                      resolver=names({"erp.corp.example": ["10.9.9.9"], "mes.corp.example": ["10.1.2.3"],
                                                      "wiki.corp.example": ["10.9.9.9"]}))

    for url in ("http://erp.corp.example/h", "http://mes.corp.example/h", "http://127.0.0.1:8080/h",
                "http://[::ffff:127.0.0.1]/h", "http://[::1]/h", "http://10.1.2.200/h"):
        assert targets.check(url, must_resolve=True)[1], url
    for url in ("http://wiki.corp.example/h", "http://127.0.0.2/h", "http://10.1.3.1/h"):
        with pytest.raises(TargetRefused):
            targets.check(url, must_resolve=True)


def test_an_endpoint_url_refusal_names_the_url_field():
    with pytest.raises(InvalidInput) as refused:
        WebhookTargets().check_endpoint_url("http://169.254.169.254/latest/meta-data/")

    [error] = refused.value.errors
    assert (error.field, error.message) == ("url", "169.254.169.254 is a cloud metadata address")
    assert (error.message.msgid, error.message.params) == (METADATA, {"host": "169.254.169.254"})
