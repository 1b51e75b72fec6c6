"""Believe forwarding headers only from our own reverse proxy.

Behind the proxy every request comes from the proxy's address; the visitor's address is in
`X-Forwarded-For` and the scheme in `X-Forwarded-Proto`. Anyone who reaches gunicorn directly
could send those headers too, so `TrustedProxyMiddleware` (first in the middleware list):

- from an address in `settings.TRUSTED_PROXIES` (addresses or CIDR networks): replaces
  `REMOTE_ADDR` with the client address — the right-most `X-Forwarded-For` entry that is not
  itself a trusted proxy — and keeps `X-Forwarded-Proto`;
- from anyone else: drops `X-Forwarded-For`, `X-Forwarded-Proto`, `X-Forwarded-Host` and
  `X-Real-IP`, so neither Django's `SECURE_PROXY_SSL_HEADER` nor an address-based limit reads them.

`X-Forwarded-For` is removed afterwards in both cases, so every later reader (DRF's throttles,
django-axes, `core.throttle.client_address`) sees one answer: `REMOTE_ADDR`. The proxy's own
address stays in `META["TONGBAN_PROXY_ADDR"]`.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

FORWARDING = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_X_REAL_IP")


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]):
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _address(value: str):
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":")[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def is_trusted_proxy(address: str) -> bool:
    ip = _address(address or "")
    return ip is not None and any(ip in net for net in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_from(remote_addr: str, forwarded_for: str) -> str:
    """The visitor's address: walk X-Forwarded-For from the right past our own proxies."""
    if not is_trusted_proxy(remote_addr):
        return remote_addr
    client = remote_addr
    for hop in reversed([h for h in forwarded_for.split(",") if h.strip()]):
        ip = _address(hop)
        if ip is None:
            break  # garbage: keep the last address we could trust
        client = str(ip)
        if not is_trusted_proxy(client):
            break
    return client


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        remote = meta.get("REMOTE_ADDR", "")
        if is_trusted_proxy(remote):
            meta["TONGBAN_PROXY_ADDR"] = remote
            meta["REMOTE_ADDR"] = client_from(remote, meta.get("HTTP_X_FORWARDED_FOR", ""))
            meta.pop("HTTP_X_FORWARDED_FOR", None)
        else:
            for header in FORWARDING:
                meta.pop(header, None)
        return self.get_response(request)
