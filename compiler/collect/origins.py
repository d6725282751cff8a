"""Which posts come from the published forms, and which were forged in someone's browser.

Any web page can make its visitors' browsers post a form to the endpoint. A
browser says where a post comes from: `Origin` (every browser on a POST) and
`Sec-Fetch-Site` (Chromium, Firefox, Safari 16.4+). The forms' pages set the
referrer policy `strict-origin`, so a form posted without JavaScript carries its
real origin, not `null`; every outbound link says `rel="noreferrer"`, so no other
site learns the survey's address.

A post is accepted when its origin is the endpoint's own (the forms and the
endpoint behind one reverse proxy, the recommended deployment) or one listed in
FORMWRIGHT_ALLOWED_ORIGINS (forms on a static host). `Origin: null` (a sandboxed
frame, a `data:` page, a page with `no-referrer`) is refused. A post with neither
header did not come through a browser that could be tricked into sending it (a
script, curl): it is not a forgery of the kind this stops, and is checked like any
other post.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from urllib.parse import urlsplit


def _host(origin: str) -> str:
    parts = urlsplit(origin)
    return (parts.netloc or "").lower()


def forged(headers: Mapping[str, str], own_host: str, allowed: Collection[str]) -> bool:
    """Whether a browser sent this post from a page that is not one of the forms'."""
    origin = headers.get("origin")
    if origin is not None:
        origin = origin.strip().lower()
        if origin == "null":
            return True
        if origin in allowed:
            return False
        # the endpoint's own origin; the scheme may differ behind a proxy that ends TLS
        return _host(origin) != own_host.lower()
    # no Origin, but a browser's word that another site made the request
    return headers.get("sec-fetch-site", "").lower() in ("cross-site", "same-site")
