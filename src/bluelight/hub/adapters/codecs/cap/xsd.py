"""The official OASIS CAP 1.2 XML Schema, which checks every alert read and written."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import xmlschema
from lxml import etree

from bluelight.kernel.errors import FieldFault

SCHEMA_PATH = Path(__file__).parent.parent / "schemas" / "CAP-v1.2.xsd"


@functools.cache
def schema() -> xmlschema.XMLSchema10:
    """The OASIS CAP 1.2 schema, from the package (never fetched)."""
    return xmlschema.XMLSchema10(str(SCHEMA_PATH))


def _error_path(error: xmlschema.XMLSchemaValidationError) -> str:
    return re.sub(r"\w+:", "", error.path or "/alert")


def schema_faults(root: etree._Element) -> list[FieldFault]:
    return [FieldFault(_error_path(e), e.reason or str(e)) for e in schema().iter_errors(root)]
