"""Case ids and references: the native reference pattern, and CISU's shared case id
(see "References" in docs/codecs/edxl-de.md)."""

from __future__ import annotations

import hashlib
import re

REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_CASE_PART = re.compile(r"^[A-Za-z0-9_-]+$")


def as_reference(value: str) -> str:
    """A foreign case id made to fit the native Reference pattern."""
    cleaned = re.sub(r"[^A-Za-z0-9._:-]", "-", value.strip())
    if not cleaned or not re.match(r"[A-Za-z0-9]", cleaned):
        cleaned = "R" + cleaned
    if len(cleaned) > 64:
        digest = hashlib.sha256(value.encode()).hexdigest()[:8]
        cleaned = f"{cleaned[:55]}-{digest}"
    return cleaned


def _is_shared_case_id(value: str) -> bool:
    parts = value.split(".")
    return 4 <= len(parts) <= 10 and all(_CASE_PART.match(p) for p in parts)


def case_id(reference: str, sender: str | None) -> str:
    """CISU's shared case id for a sender's own reference (see "References" in
    docs/codecs/edxl-de.md)."""
    if _is_shared_case_id(reference) and not (sender and reference.startswith(sender + ".")):
        return reference
    parts = [re.sub(r"[^A-Za-z0-9_-]", "_", p) for p in (sender or "").split(".") if p]
    prefix = ".".join(parts[:9]) or "uk.bluelight.hub"
    return f"{prefix}.{re.sub(r'[^A-Za-z0-9_-]', '_', reference)}"
