"""Native references: the pattern, and any identifier made to fit it."""

from __future__ import annotations

import hashlib
import re

REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


def sanitise_reference(text: str) -> str:
    """Any identifier -> a valid native Reference (letters, digits, . _ : -; up to 64).
    Changed identifiers get a short hash of the original, so two never collide."""
    if REFERENCE.match(text):
        return text
    cleaned = re.sub(r"[^A-Za-z0-9._:-]+", "-", text).lstrip("._:-") or "eido"
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{cleaned[:53].rstrip('-')}-{digest}"
