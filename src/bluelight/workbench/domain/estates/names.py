"""Organisation names: how they are tidied, compared and turned into ids."""

from __future__ import annotations

import re

_SLUG = re.compile(r"[^a-z0-9]+")


def name_key(name: str) -> str:
    """Organisation names compare without case or spacing differences."""
    return " ".join(name.split()).casefold()


def clean_name(name: str) -> str:
    return " ".join(name.split())


def slug(name: str) -> str:
    return _SLUG.sub("-", name.casefold()).strip("-") or "organisation"
