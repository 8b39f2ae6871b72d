"""Phone numbers in callback URIs (tel:, and sip: with a numeric user part)."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote


def tel_uri(phone: str) -> str:
    """A phone number as a tel: URI: spaces become the visual separator "-", anything
    not allowed in a URI is percent-encoded."""
    return "tel:" + quote("-".join(phone.split()), safe="+-.()*#")


def phone_from_uri(uri: str) -> str | None:
    """The phone number in a tel: URI (or the numeric user part of a sip: URI), with
    "-" separators shown as spaces. None if the URI carries no phone number."""
    scheme, _, rest = uri.strip().partition(":")
    scheme = scheme.lower()
    if scheme == "tel":
        number = unquote(rest.split(";", 1)[0])
    elif scheme in ("sip", "sips"):
        number = unquote(rest.split("@", 1)[0].split(";", 1)[0])
        if not re.fullmatch(r"\+?[0-9().\-]+", number):
            return None
    else:
        return None
    number = " ".join(number.replace("-", " ").split())
    return number if number and len(number) <= 40 else None
