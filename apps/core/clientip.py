"""The client's address: the one function every recorder of an IP uses (the login
lockout through AXES_CLIENT_IP_CALLABLE, the access log and the change history through
the request context, the login events).

Behind a reverse proxy REMOTE_ADDR is the proxy's address. Only when REMOTE_ADDR is one
of settings.TRUSTED_PROXIES (addresses or networks, DANGJIAN_TRUSTED_PROXIES) are the
proxy's headers believed: the right-most address of X-Forwarded-For that is not itself
a trusted proxy is the client (everything left of it was written by the client and may
be forged); without X-Forwarded-For, X-Real-IP. A request that did not come through a
trusted proxy is judged by REMOTE_ADDR alone, whatever headers it carries.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES（DANGJIAN_TRUSTED_PROXIES）中的“{entry}”不是有效的 IP 地址或网段")
    return tuple(networks)


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def parse_address(value: str | None) -> Address | None:
    """An address as a proxy header or REMOTE_ADDR writes it: "1.2.3.4", "1.2.3.4:5678",
    "2001:db8::1", "[2001:db8::1]:443"; IPv4-mapped IPv6 becomes IPv4. None if invalid."""
    text = (value or "").strip().strip('"')
    if not text or len(text) > 64:
        return None
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # IPv4 with a port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted_proxy(address: Address | None, networks: tuple[Network, ...] | None = None) -> bool:
    if address is None:
        return False
    networks = trusted_networks() if networks is None else networks
    return any(address.version == n.version and address in n for n in networks)


def client_ip(request) -> str | None:
    """The client's address for this request (see the module docstring), or None."""
    remote = parse_address(request.META.get("REMOTE_ADDR"))
    networks = trusted_networks()
    if remote is None or not is_trusted_proxy(remote, networks):
        return str(remote) if remote is not None else None
    client = remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        for hop in reversed(forwarded.split(",")):
            address = parse_address(hop)
            if address is None:
                break  # a hop the proxies did not write: believe nothing left of it
            client = address
            if not is_trusted_proxy(address, networks):
                break
    else:
        real = parse_address(request.META.get("HTTP_X_REAL_IP"))
        if real is not None:
            client = real
    return str(client)


def check_trusted_proxies(app_configs=None, **kwargs):
    """System check: every TRUSTED_PROXIES entry parses (refuse to start otherwise)."""
    from django.core.checks import Error

    try:
        trusted_networks()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="core.E020")]
    return []
