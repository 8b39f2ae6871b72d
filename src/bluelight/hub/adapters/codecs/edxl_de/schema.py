"""The upstream Hub Santé JSON Schemas (draft-07) of one directory, as validators, and
their errors as field faults (see "Validation" in docs/codecs/edxl-de.md)."""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bluelight.hub.adapters.codecs.edxl_de.profile import BUILTIN_CONTENT_KINDS
from bluelight.kernel.errors import FieldFault


@dataclass(frozen=True)
class HubSchemas:
    """Validators built from the upstream schema files of one directory."""

    envelope: Any
    message: Any | None  # RC-DE
    contents: dict[str, tuple[Any | None, bool]]  # kind -> (validator or None, needs RC-DE)


_BASE_URI = "https://schemas.invalid/hubsante/"


@functools.lru_cache(maxsize=8)
def load_schemas(schema_dir: Path) -> HubSchemas:
    """Validators for every `*.schema.json` in `schema_dir`, cross-referenced through one
    `referencing.Registry`. The upstream files all declare the same `$id`, so each is
    registered under its file name instead (which is how they `$ref` one another)."""
    from jsonschema import Draft7Validator
    from jsonschema.validators import validator_for
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    files = sorted(Path(schema_dir).glob("*.schema.json"))
    if not files:
        raise FileNotFoundError(f"no *.schema.json in {schema_dir}")
    docs: dict[str, dict] = {}
    for file in files:
        contents = json.loads(file.read_text(encoding="utf-8"))
        docs[file.name] = {k: v for k, v in contents.items() if k != "$id"}
    full = docs.get("EDXL-DE-full.schema.json")
    envelope_name = "EDXL-DE-envelope-only.schema.json"
    if envelope_name not in docs:
        if full is None:
            raise FileNotFoundError(f"no EDXL-DE envelope schema in {schema_dir}")
        envelope_name = "(envelope).schema.json"
        opened = copy.deepcopy(full)
        opened["definitions"]["EmbeddedJsonContent"] = {"type": "object"}
        docs[envelope_name] = opened
    registry = Registry().with_resources(
        (_BASE_URI + name, Resource.from_contents(doc, default_specification=DRAFT7))
        for name, doc in docs.items()
    )

    def validator(name: str) -> Any | None:
        if name not in docs:
            return None
        cls = validator_for(docs[name], default=Draft7Validator)
        return cls({"$ref": _BASE_URI + name}, registry=registry)

    if full is not None:
        table = _content_table(full)
    else:
        table = {kind: (_DEFAULT_FILES.get(kind, ""), rcde)
                 for kind, rcde in BUILTIN_CONTENT_KINDS.items()}
    contents = {kind: (validator(file), rcde) for kind, (file, rcde) in table.items()}
    return HubSchemas(envelope=validator(envelope_name),
                      message=validator("RC-DE.schema.json"), contents=contents)


_DEFAULT_FILES = {"createCase": "RC-EDA.schema.json", "emsi": "EMSI.schema.json",
                  "reference": "RC-REF.schema.json", "error": "RS-ERROR.schema.json",
                  "technical": "TECHNICAL.schema.json",
                  "technicalNoreq": "TECHNICAL_NOREQ.schema.json",
                  "customContent": "customContent.schema.json",
                  "distributionElement": "RC-DE.schema.json"}


def _content_table(full: dict) -> dict[str, tuple[str, bool]]:
    """kind -> (schema file, needs RC-DE), read from the branches of EDXL-DE-full's oneOf."""
    table: dict[str, tuple[str, bool]] = {}
    for branch in full["definitions"]["EmbeddedJsonContent"]["oneOf"]:
        parts = branch.get("allOf", [branch])
        messages = [p.get("properties", {}).get("message", {}) for p in parts]
        rcde = any("$ref" in m for m in messages)
        for m in messages:
            for kind in m.get("required", []):
                table[kind] = (m["properties"][kind]["$ref"].split("#")[0], rcde)
    return table


def schema_faults(validator: Any, instance: Any, prefix: str) -> list[FieldFault]:
    faults = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: e.json_path):
        path = prefix + error.json_path[1:]
        if error.validator == "required":
            match = re.match(r"^'(.+)' is a required property$", error.message)
            name = match.group(1) if match else "?"
            faults.append(FieldFault(f"{path}.{name}", "required property is missing"))
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = set(error.schema.get("properties", {}))
            for extra in sorted(set(error.instance) - known):
                faults.append(FieldFault(f"{path}.{extra}", "unknown property"))
        else:
            faults.append(FieldFault(path, _short(error.message)))
    return faults


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
