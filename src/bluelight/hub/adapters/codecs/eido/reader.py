"""The decoder's access to the document: typed, and marking every field it reads, so
that what is left over can be listed as lost."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bluelight.hub.adapters.codecs.eido import schema as eido_schema
from bluelight.hub.adapters.codecs.eido.fields import fail, join

_KIND_NAMES = {str: "a string", list: "an array", dict: "an object", int: "an integer",
               bool: "a boolean"}


class DocumentReader:
    """Reads one EIDO. Every field it uses is marked, so that what is left over can be
    listed as lost. Type checks here back the schema up (and stand in when it is absent;
    the schema's Reference type, for one, accepts any non-object)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.doc = document
        self.used: set[str] = set()
        self.losses: list[str] = []
        self.by_id: dict[str, tuple[str, dict[str, Any]]] = {}

    # -- typed access --------------------------------------------------------------------

    def use(self, path: str) -> None:
        self.used.add(path)

    def get(self, obj: dict[str, Any], key: str, path: str, kind: type, *,
            use: bool = True) -> Any:
        """obj[key] if it is of `kind` (None if absent); marked as used unless told not
        to be (some fields only count as carried once their value has been judged)."""
        value = obj.get(key)
        if value is None:
            return None
        where = join(path, key)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise fail(where, f"must be {_KIND_NAMES[kind]}")
        if use:
            self.use(where)
        return value

    def text(self, obj: dict[str, Any], key: str, path: str, *, use: bool = True) -> str | None:
        return self.get(obj, key, path, str, use=use)

    def texts(self, obj: dict[str, Any], key: str, path: str) -> list[str]:
        values = self.get(obj, key, path, list, use=False) or []
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise fail(join(join(path, key), index), "must be a string")
        return values

    def ref(self, obj: dict[str, Any], key: str, path: str) -> str | None:
        """The $id a Reference points at."""
        value = self.get(obj, key, path, dict, use=False)
        if value is None:
            return None
        target = value.get("$ref")
        if not isinstance(target, str):
            raise fail(join(join(path, key), "$ref"), "must be a string")
        return target

    def refs(self, obj: dict[str, Any], key: str, path: str) -> list[str]:
        values = self.get(obj, key, path, list, use=False) or []
        out = []
        for index, value in enumerate(values):
            where = join(join(path, key), index)
            if not isinstance(value, dict) or not isinstance(value.get("$ref"), str):
                raise fail(where, "must be a reference ({\"$ref\": \"<id>\"})")
            out.append(value["$ref"])
        return out

    def time(self, obj: dict[str, Any], key: str, path: str, *,
             use: bool = True) -> datetime | None:
        value = self.text(obj, key, path, use=use)
        if value is None:
            return None
        try:
            return eido_schema.parse_rfc3339(value)
        except ValueError as exc:
            raise fail(join(path, key), str(exc)) from None

    def components(self, name: str) -> list[tuple[str, dict[str, Any]]]:
        values = self.get(self.doc, name, "", list, use=False) or []
        out = []
        for index, value in enumerate(values):
            where = join(name, index)
            if not isinstance(value, dict):
                raise fail(where, "must be an object")
            out.append((where, value))
        return out


# ---- what was not used -----------------------------------------------------------------

_BOOKKEEPING = {"$id", "lastUpdateTimeStamp", "@context", "eidoVersion", "callIdentifier"}


def _is_link(key: str) -> bool:
    return key.endswith(("Reference", "References"))


def unused(node: Any, path: str, used: set[str], out: list[str]) -> None:
    """Append the paths of fields that carry information and were not read. Arrays of
    plain values are named whole when nothing in them was read."""
    if path in used:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _BOOKKEEPING or _is_link(key):
                continue
            unused(value, join(path, key), used, out)
    elif isinstance(node, list):
        scalars = all(not isinstance(v, dict | list) for v in node)
        if scalars and node and not any(join(path, i) in used for i in range(len(node))):
            out.append(path)
            return
        for index, value in enumerate(node):
            unused(value, join(path, index), used, out)
    elif node is not None and node != "":
        out.append(path)
