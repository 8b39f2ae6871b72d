"""The official NENA EIDO schema (STA-021, JSON), loaded for validation.

NENA publishes the EIDO as an OpenAPI 3.0 document (`openapi.yaml`) whose
`components.schemas.EmergencyIncidentDataObjectType` is the EIDO, plus NIEM component
files (`NIEMComponents/*.yaml`) that it reaches through relative `$ref`s such as
`NIEMComponents/nc.yaml#/components/schemas/ncPersonType` (and from there `j.yaml#...`,
relative to the NIEM file). The files are read where they are (the caller names the
directory; nothing is copied) and their defects are repaired in memory only.

How the OpenAPI document becomes a JSON Schema validator:

* OpenAPI 3.0 Schema Objects are an extended subset of JSON Schema draft 4/5 (boolean
  `exclusiveMinimum`, `$ref` siblings ignored), so the validator is jsonschema's
  Draft4Validator. The files only use draft-4 keywords (type, properties, items, allOf,
  enum, required, minItems, format, $ref); OpenAPI-only annotations (`example`,
  `nullable`, ...) are either ignored by JSON Schema or translated below.
* `$ref`s are resolved by a `referencing` registry that knows each document by its
  `file:` URI; the NIEM files are read lazily, on the first `$ref` into them, because
  they are about 3 MB of YAML and most EIDOs never touch them. Only files inside the
  schema directory can be read: a `$ref` elsewhere is an error, never a network fetch.
* `format: date-time` is checked (RFC 3339, with a UTC offset), since timestamps are
  what a codec reads; `int32` is range-checked. Other formats (`uri`) are annotations.

Defects repaired in memory (each repair is recorded in `SchemaSet.fixes`):

1. `AgentType.agentRoleRegistryText` has `minItems: 1,`: YAML reads the trailing comma
   into the string "1,", and jsonschema crashes comparing a length with a string. Any
   numeric keyword (minItems, maxLength, minimum, ...) whose value is a string holding a
   number plus stray punctuation is read as that number; one that holds no number at all
   is dropped (it cannot constrain anything) and recorded.
2. `AlternateValuesType.Alternate[].required` lists `TimeStamp` and `Value`, but the
   properties are `Timestamp` and `OtherValue`: as published no alternate value could
   ever be valid. The required list is renamed to the properties it evidently means.
3. OpenAPI `nullable: true` (none in the current files, but it is the OpenAPI 3.0 way to
   allow null) becomes `type: [<type>, "null"]` (and null is added to any `enum`).
4. YAML 1.1 typing: PyYAML's default resolver turns unquoted `00.00` into the float 0.0,
   `01` into the int 1 (and `0100` into octal 64), `NO` into False and dates into
   datetimes. The NIEM files hold unquoted code values in string enums (`- 00.00` in
   biom.yaml, `- 08` in FIPS state codes), so the files are read with YAML 1.2-style
   rules: only `true`/`false` are booleans, numbers have no leading zeros, timestamps
   stay strings. Any remaining non-string member of a `type: string` enum is turned back
   into a string.

Not repaired (documented upstream defect): the schema has no `additionalProperties:
false`, so misspelled keys pass validation silently. The codec reports unknown keys as
losses instead of rejecting them, which is the safer reading of the standard.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlsplit

import yaml
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT4

OPENAPI_FILE = "openapi.yaml"
EIDO_SCHEMA = "EmergencyIncidentDataObjectType"
# Where the hub finds the schema when a caller does not say (e.g. the codec registry,
# which calls `decode(data)` alone). Unset: the codec checks the fields it reads itself.
ENV_VAR = "BLUELIGHT_EIDO_SCHEMA_DIR"


class SchemaLoadError(Exception):
    """The schema directory is missing, unreadable or not the NENA EIDO schema."""


@dataclass(frozen=True)
class Fix:
    """One in-memory repair: which file, where (JSON pointer), what was done."""

    document: str
    pointer: str
    detail: str


# --- YAML, read with YAML 1.2-style scalar rules (defect 4) --------------------------

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DROPPED_TAGS = {
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
}


class _Yaml12Loader(_Base):  # type: ignore[misc, valid-type]
    """SafeLoader without YAML 1.1's surprising implicit types."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED_TAGS]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"
               r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))
# A float needs a fraction or an exponent: plain integers were claimed by the int
# resolver above, which is tried first because it was added first.


# --- RFC 3339 timestamps (shared with the codec) --------------------------------------

_RFC3339 = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<h>\d{2}):(?P<m>\d{2}):(?P<s>\d{2})"
    r"(?:\.(?P<frac>\d+))?(?P<tz>[Zz]|[+-]\d{2}:\d{2})$"
)


def parse_rfc3339(text: str) -> datetime:
    """An RFC 3339 date-time (offset required) as an aware datetime; ValueError if not.
    More than six fractional digits are truncated; a leap second (:60) is read as the
    first instant of the next minute."""
    m = _RFC3339.match(text)
    if not m:
        raise ValueError("not an RFC 3339 date-time with a UTC offset")
    frac = (m["frac"] or "")[:6].ljust(6, "0")
    tz = "+00:00" if m["tz"] in "Zz" else m["tz"]
    leap = m["s"] == "60"
    second = "59" if leap else m["s"]
    value = datetime.fromisoformat(f"{m['date']}T{m['h']}:{m['m']}:{second}.{frac}{tz}")
    return value + timedelta(seconds=1) if leap else value


def format_rfc3339(value: datetime) -> str:
    """An aware datetime as RFC 3339. Offsets with seconds (historic local mean time)
    cannot be written in RFC 3339, so such values are given in UTC (same instant)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime")
    offset = value.utcoffset()
    if offset.seconds % 60 or offset.microseconds:
        value = value.astimezone(UTC)
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


FORMAT_CHECKER = FormatChecker(formats=())


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_date_time(instance: object) -> bool:
    if isinstance(instance, str):
        parse_rfc3339(instance)
    return True


@FORMAT_CHECKER.checks("int32")
def _is_int32(instance: object) -> bool:
    if isinstance(instance, int) and not isinstance(instance, bool):
        return -(2**31) <= instance < 2**31
    return True


# --- in-memory repairs ------------------------------------------------------------------

_NUMERIC_KEYWORDS = ("minItems", "maxItems", "minLength", "maxLength", "minProperties",
                     "maxProperties", "minimum", "maximum", "multipleOf")
_NUMBER_IN_TEXT = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*[,;]?\s*$")
# Defect 2: AlternateValuesType.Alternate.items.required names that match no property.
_ALTERNATE_ITEM = ("components", "schemas", "AlternateValuesType", "properties",
                   "Alternate", "items")
_ALTERNATE_RENAMES = {"TimeStamp": "Timestamp", "Value": "OtherValue"}


def _pointer(parts: tuple[str | int, ...]) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _walk(node: Any, parts: tuple[str | int, ...] = ()) -> Iterator[tuple[dict, tuple]]:
    if isinstance(node, dict):
        yield node, parts
        for key, value in node.items():
            yield from _walk(value, (*parts, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*parts, index))


def _repair(document: Any, name: str, fixes: list[Fix]) -> None:
    """Apply the generic repairs (1, 3, 4) everywhere and the targeted one (2) where it
    belongs. Mutates `document`, which is this module's private copy."""
    for node, parts in list(_walk(document)):
        # 1: numeric keywords given as text ("1," -> 1). A key of that name inside
        # `properties` maps to a schema (a dict), so it is never touched.
        for keyword in _NUMERIC_KEYWORDS:
            value = node.get(keyword)
            if isinstance(value, str):
                where = _pointer((*parts, keyword))
                if m := _NUMBER_IN_TEXT.match(value):
                    number = float(m.group(1))
                    node[keyword] = int(number) if number.is_integer() else number
                    fixes.append(Fix(name, where, f"{value!r} read as {node[keyword]}"))
                else:
                    del node[keyword]
                    fixes.append(Fix(name, where, f"{value!r} is not a number: dropped"))
        # 3: OpenAPI nullable.
        if node.get("nullable") is True and "$ref" not in node:
            kind = node.get("type")
            if isinstance(kind, str):
                node["type"] = [kind, "null"]
            elif isinstance(kind, list) and "null" not in kind:
                node["type"] = [*kind, "null"]
            if isinstance(node.get("enum"), list) and None not in node["enum"]:
                node["enum"].append(None)
            del node["nullable"]
            fixes.append(Fix(name, _pointer(parts), "nullable: true -> type allows null"))
        # 4: a string enum member that YAML still typed as something else.
        if node.get("type") == "string" and isinstance(node.get("enum"), list):
            for index, member in enumerate(node["enum"]):
                if member is not None and not isinstance(member, str):
                    text = str(member).lower() if isinstance(member, bool) else str(member)
                    node["enum"][index] = text
                    fixes.append(Fix(name, _pointer((*parts, "enum", index)),
                                     f"{member!r} read as the string {text!r}"))
    # 2: only in the OpenAPI document, only if still broken (a fixed upstream is left be).
    if name == OPENAPI_FILE:
        item: Any = document
        for part in _ALTERNATE_ITEM:
            item = item.get(part) if isinstance(item, dict) else None
        if isinstance(item, dict) and isinstance(item.get("required"), list):
            properties = item.get("properties") or {}
            renamed = [
                _ALTERNATE_RENAMES.get(r, r) if r not in properties
                and _ALTERNATE_RENAMES.get(r) in properties else r
                for r in item["required"]
            ]
            if renamed != item["required"]:
                fixes.append(Fix(name, _pointer((*_ALTERNATE_ITEM, "required")),
                                 f"required {item['required']} -> {renamed}"))
                item["required"] = renamed


# --- the documents of one schema directory ----------------------------------------------


class SchemaSet:
    """The YAML documents of one schema directory, read lazily, repaired in memory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory.resolve()
        self.root_uri = (self.directory / OPENAPI_FILE).as_uri()
        self.fixes: list[Fix] = []
        self._documents: dict[Path, Any] = {}
        self._lock = threading.Lock()
        if not (self.directory / OPENAPI_FILE).is_file():
            raise SchemaLoadError(f"{self.directory} has no {OPENAPI_FILE}: not the NENA "
                                  "EIDO schema directory")
        root = self.document(self.directory / OPENAPI_FILE)
        try:
            root["components"]["schemas"][EIDO_SCHEMA]
        except (KeyError, TypeError):
            raise SchemaLoadError(f"{OPENAPI_FILE} defines no components.schemas."
                                  f"{EIDO_SCHEMA}") from None
        self._check_direct_refs(root)

    def document(self, path: Path) -> Any:
        """The parsed, repaired document at `path` (which must lie in the directory)."""
        path = path.resolve()  # also folds the "NIEMComponents//j.yaml" double slash
        if not path.is_relative_to(self.directory):
            raise SchemaLoadError(f"$ref outside the schema directory: {path}")
        with self._lock:
            if path not in self._documents:
                try:
                    text = path.read_text(encoding="utf-8")
                except OSError as exc:
                    raise SchemaLoadError(f"cannot read {path}: {exc}") from exc
                try:
                    document = yaml.load(text, Loader=_Yaml12Loader)  # noqa: S506 (safe)
                except yaml.YAMLError as exc:
                    raise SchemaLoadError(f"{path} is not valid YAML: {exc}") from exc
                _repair(document, str(path.relative_to(self.directory)), self.fixes)
                self._documents[path] = document
            return self._documents[path]

    def schema(self, name: str = EIDO_SCHEMA) -> Any:
        """A named component schema of the OpenAPI document, as repaired."""
        return self.document(self.directory / OPENAPI_FILE)["components"]["schemas"][name]

    def retrieve(self, uri: str) -> Resource:
        """The `referencing` hook: a `file:` URI inside the directory -> its document."""
        parts = urlsplit(uri)
        if parts.scheme != "file":
            raise NoSuchResource(ref=uri)
        try:
            contents = self.document(Path(unquote(parts.path)))
        except SchemaLoadError:
            raise NoSuchResource(ref=uri) from None
        return DRAFT4.create_resource(contents)

    def _check_direct_refs(self, root: Any) -> None:
        """Fail at load time, not mid-validation, if a NIEM file named by the OpenAPI
        document is missing (their contents are still read lazily)."""
        for node, _ in _walk(root):
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                target = urldefrag(ref).url
                if not (self.directory / target).resolve().is_file():
                    raise SchemaLoadError(f"{OPENAPI_FILE} refers to {target}, which is "
                                          f"not in {self.directory}")


@functools.lru_cache(maxsize=8)
def _schema_set(directory: Path) -> SchemaSet:
    return SchemaSet(directory)


def schema_set(schema_dir: str | os.PathLike[str]) -> SchemaSet:
    """The (cached) documents of `schema_dir`, e.g. to inspect `fixes`."""
    return _schema_set(Path(schema_dir).resolve())


@functools.lru_cache(maxsize=32)
def _validator(directory: Path, name: str) -> Draft4Validator:
    documents = _schema_set(directory)
    documents.schema(name)  # KeyError early if there is no such component
    root = documents.document(directory / OPENAPI_FILE)
    registry: Registry = Registry(retrieve=documents.retrieve).with_resource(  # type: ignore[call-arg]
        documents.root_uri, DRAFT4.create_resource(root))
    return Draft4Validator(
        {"$ref": f"{documents.root_uri}#/components/schemas/{name}"},
        registry=registry,
        format_checker=FORMAT_CHECKER,
    )


def validator(schema_dir: str | os.PathLike[str], name: str = EIDO_SCHEMA) -> Draft4Validator:
    """A jsonschema validator for the EIDO (or another component schema of the OpenAPI
    document, e.g. "AlternateValuesType"), with the defects repaired. Cached per
    directory and name; safe to share between threads."""
    return _validator(Path(schema_dir).resolve(), name)


def default_schema_dir(env: dict[str, str] | None = None) -> Path | None:
    """The schema directory named by BLUELIGHT_EIDO_SCHEMA_DIR, if any."""
    value = (os.environ if env is None else env).get(ENV_VAR)
    return Path(value) if value else None


def error_path(parts: Iterator[str | int] | Any) -> str:
    """A jsonschema error's absolute path as a dotted field name: a.b[0].c."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


__all__ = [
    "EIDO_SCHEMA", "ENV_VAR", "FORMAT_CHECKER", "Fix", "SchemaLoadError", "SchemaSet",
    "default_schema_dir", "error_path", "format_rfc3339", "parse_rfc3339", "schema_set",
    "validator",
]
