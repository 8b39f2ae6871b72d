"""Reading the document as JSON, and checking it against the official schema when there
is one (the `schema_dir` argument, else BLUELIGHT_EIDO_SCHEMA_DIR)."""

from __future__ import annotations

import json
import os
import re
from typing import Any

from bluelight.hub.adapters.codecs.base import CodecError
from bluelight.hub.adapters.codecs.eido import schema as eido_schema
from bluelight.hub.adapters.codecs.eido.fields import join
from bluelight.hub.adapters.codecs.eido.profile import FORMAT, MAX_BYTES, MAX_FAULTS
from bluelight.kernel.errors import FieldFault

_REQUIRED = re.compile(r"^'(?P<name>.+)' is a required property$")


def parse_json(data: bytes) -> dict[str, Any]:
    if len(data) > MAX_BYTES:
        raise CodecError(FORMAT, f"document is {len(data)} bytes; the limit is {MAX_BYTES}",
                         [FieldFault("(document)", "too large")])

    def no_constants(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    try:
        document = json.loads(data, parse_constant=no_constants)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, bad UTF-8, NaN
        raise CodecError(FORMAT, f"not valid JSON: {exc}",
                         [FieldFault("(document)", "not valid JSON")]) from None
    if not isinstance(document, dict):
        raise CodecError(FORMAT, "an EIDO is a JSON object",
                         [FieldFault("(document)", "must be a JSON object")])
    return document


def schema_dir_or_default(schema_dir: str | os.PathLike[str] | None) -> Any:
    return schema_dir if schema_dir is not None else eido_schema.default_schema_dir()


def validate(document: Any, schema_dir: str | os.PathLike[str] | None) -> None:
    """Against the official schema, if there is one. Every error is reported (up to
    MAX_FAULTS), deepest paths first within a field, so a sender can fix them at once."""
    directory = schema_dir_or_default(schema_dir)
    if directory is None:
        return
    errors = sorted(eido_schema.validator(directory).iter_errors(document),
                    key=lambda e: ([str(p) for p in e.absolute_path], e.message))
    if not errors:
        return
    faults: list[FieldFault] = []
    for error in errors:
        field = eido_schema.error_path(error.absolute_path)
        fault = error.message
        if error.validator == "required" and (m := _REQUIRED.match(error.message)):
            field, fault = join(field, m["name"]), "is required"
        fault = fault if len(fault) <= 300 else fault[:297] + "..."
        item = FieldFault(field or "(document)", fault)
        if item not in faults:
            faults.append(item)
    shown = faults[:MAX_FAULTS]
    detail = "; ".join(f"{f.field}: {f.fault}" for f in shown)
    if len(faults) > MAX_FAULTS:
        detail += f" (and {len(faults) - MAX_FAULTS} more)"
    raise CodecError(FORMAT, f"does not conform to the NENA EIDO schema: {detail}", shown)
