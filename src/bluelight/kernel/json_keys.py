"""Duplicate keys in JSON objects.

RFC 8259 leaves a repeated key to the parser: msgspec (and Python's json) keep the last
value, some parsers keep the first, some refuse. The hub forwards, and recipients check
signatures over, the exact bytes a sender sent, so a body whose meaning depends on the
parser must be refused, not quietly read one way.

Every JSON body passes through here, so the common case (no duplicate) must be cheap.
msgspec alone proves it: re-encoding the decoded value writes one colon per key that
survived, plus the literal colons inside strings; the raw text has one colon per key
written, plus the same string colons (some perhaps escaped as \\u003a). The counts are
equal only if no key was dropped. When they differ (a duplicate, or an escaped colon),
an exact walk finds the duplicated key and names its path. `bluelight bench
duplicate-keys` measures it: 1-3.5 times msgspec's typed decode of the same 1.5-4.5 KB
body (about 10-30 us), less than `json.loads(object_pairs_hook=...)` on every body."""

from __future__ import annotations

import json

import msgspec

_decode = msgspec.json.decode
_encode = msgspec.json.Encoder().encode


class _Pairs(list):
    """One object's (key, value) pairs in document order, repeated keys kept."""


def first_duplicate(raw: bytes) -> str | None:
    """The path of a key given twice in one object ("incident.location.lat",
    "recipients[1].x"; outer objects are searched first), or None. `raw` must already be
    known to be valid JSON. Nesting past the parser's limit raises RecursionError."""
    written = raw.count(b":") + raw.count(b"\\u003a") + raw.count(b"\\u003A")
    if written == _encode(_decode(raw)).count(b":"):
        return None
    return _find(json.loads(raw, object_pairs_hook=_Pairs))


def _find(document: object) -> str | None:
    # Iterative, so that the walk itself has no depth limit of its own.
    stack: list[tuple[object, str]] = [(document, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, _Pairs):
            seen: set[str] = set()
            children = []
            for key, value in node:
                here = f"{path}.{key}" if path else key
                if key in seen:
                    return here
                seen.add(key)
                children.append((value, here))
            stack.extend(reversed(children))
        elif isinstance(node, list):
            stack.extend(reversed([(v, f"{path}[{i}]") for i, v in enumerate(node)]))
    return None
