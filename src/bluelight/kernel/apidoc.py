"""Render the hub's OpenAPI 3.1 document as a Markdown API reference.

    python -m bluelight.kernel.apidoc docs/openapi.json docs/api-reference.md

`render(spec)` is a pure function of the document (no network, no clock), so the output
is reproducible and a test can check that the committed reference matches the code
(`make docs` regenerates both files)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

_REF_PREFIX = "#/components/schemas/"
_METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")
_IN_ORDER = {"path": 0, "query": 1, "header": 2, "cookie": 3}


# text helpers ---------------------------------------------------------------------------
def _oneline(text: str | None) -> str:
    """Docstring-derived text (indented continuation lines) as one line."""
    return " ".join((text or "").split())


def _paragraphs(text: str | None) -> str:
    """Keep blank-line paragraph breaks, join the lines inside each paragraph."""
    parts = re.split(r"\n\s*\n", (text or "").strip())
    return "\n\n".join(_oneline(p) for p in parts if p.strip())


def _code(text: str) -> str:
    """An inline code span that survives backticks in the text."""
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _cell(text: str) -> str:
    """Table cells: one line, pipes escaped (GFM needs this even inside code spans)."""
    return _oneline(text).replace("|", "\\|") or "—"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def anchor(name: str) -> str:
    """The GitHub-style anchor of a heading: lower case, punctuation dropped."""
    slug = re.sub(r"[^\w\- ]", "", name.strip().lower())
    return slug.replace(" ", "-")


def ref_name(ref: str) -> str:
    return ref[len(_REF_PREFIX):] if ref.startswith(_REF_PREFIX) else ref.rsplit("/", 1)[-1]


# schemas ----------------------------------------------------------------------------------
class _Schemas:
    """Turns JSON Schema fragments into a type string and a list of constraints."""

    def __init__(self, components: dict[str, Any]) -> None:
        self.components = components

    def link(self, ref: str) -> str:
        name = ref_name(ref)
        return f"[{name}](#{anchor(name)})" if name in self.components else _code(name)

    def type_of(self, schema: dict[str, Any] | bool | None) -> str:
        if schema is True or not schema:
            return "any"
        if schema is False:
            return "never"
        if "$ref" in schema:
            return self.link(schema["$ref"])
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return self._union(schema[key])
        if "allOf" in schema:
            return " & ".join(self.type_of(s) for s in schema["allOf"])
        if "const" in schema:
            return _code(_json(schema["const"]))
        kind = schema.get("type")
        if isinstance(kind, list):  # OpenAPI 3.1: "type": ["string", "null"]
            return self._union([{**schema, "type": k} for k in kind])
        if "enum" in schema and kind is None:
            kinds = {type(v).__name__ for v in schema["enum"]}
            kind = {"str": "string", "int": "integer", "float": "number",
                    "bool": "boolean"}.get(kinds.pop(), "any") if len(kinds) == 1 else "any"
        if kind == "array":
            items = self.type_of(schema.get("items"))
            return f"({items})[]" if " | " in items else f"{items}[]"
        if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
            return f"map of string to {self.type_of(schema['additionalProperties'])}"
        if kind is None:
            return "any"
        return f"{kind} ({schema['format']})" if "format" in schema else kind

    def _union(self, members: list[dict[str, Any]]) -> str:
        names: list[str] = []
        for member in members:
            name = self.type_of(member)
            if name not in names:
                names.append(name)
        # null last reads naturally: "string | null"
        names.sort(key=lambda n: n == "null")
        return " | ".join(names)

    def constraints(self, schema: dict[str, Any] | bool | None, *, nested: bool = False
                    ) -> list[str]:
        if not isinstance(schema, dict):
            return []
        out: list[str] = []
        if "$ref" in schema:
            target = self.components.get(ref_name(schema["$ref"]), {})
            if "enum" in target and "properties" not in target:
                out.append("one of " + ", ".join(_code(str(v)) for v in target["enum"]))
        for key in ("anyOf", "oneOf"):
            for member in schema.get(key, []):
                if isinstance(member, dict) and member.get("type") != "null":
                    out += self.constraints(member, nested=True)
        if "enum" in schema:
            out.append("one of " + ", ".join(_code(str(v)) for v in schema["enum"]))
        if "pattern" in schema:
            out.append("pattern " + _code(schema["pattern"]))
        out += _range("length", schema.get("minLength"), schema.get("maxLength"))
        out += _range("items", schema.get("minItems"), schema.get("maxItems"))
        bounds = [(">=", "minimum"), ("<=", "maximum"), (">", "exclusiveMinimum"),
                  ("<", "exclusiveMaximum")]
        out += [f"{op} {_json(schema[key])}" for op, key in bounds if key in schema]
        if "items" in schema:
            inner = self.constraints(schema["items"], nested=True)
            if inner:
                out.append("each: " + ", ".join(inner))
        if not nested and "default" in schema and schema["default"] is not None:
            out.append("default " + _code(_json(schema["default"])))
        if not nested and schema.get("examples"):
            out.append("e.g. " + _code(_json(schema["examples"][0]).strip('"')))
        return out

    def description(self, schema: dict[str, Any] | bool | None) -> str:
        """The schema's own description, or that of its only non-null union member."""
        if not isinstance(schema, dict):
            return ""
        if schema.get("description"):
            return _oneline(schema["description"])
        for key in ("anyOf", "oneOf"):
            for member in schema.get(key, []):
                if isinstance(member, dict) and member.get("description"):
                    return _oneline(member["description"])
        items = schema.get("items")
        if isinstance(items, dict) and items.get("description"):
            return "Each: " + _oneline(items["description"])
        return ""


def _range(what: str, low: Any, high: Any) -> list[str]:
    if low is not None and high is not None:
        return [f"{what} {low}–{high}"]
    if low is not None:
        return [f"{what} >= {low}"]
    if high is not None:
        return [f"{what} <= {high}"]
    return []


# operations -------------------------------------------------------------------------------
def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    ops = []
    for path, item in spec.get("paths", {}).items():
        for method in _METHODS:
            if method in item:
                ops.append((method, path, item[method]))
    return ops


def _tags(spec: dict[str, Any], ops: list[tuple[str, str, dict]]) -> list[tuple[str, str]]:
    """(name, description) in the order the spec declares them, then first use."""
    described = {t["name"]: t.get("description", "") for t in spec.get("tags", [])}
    names = list(described)
    for _, _, op in ops:
        for tag in op.get("tags") or ["other"]:
            if tag not in names:
                names.append(tag)
    return [(name, described.get(name, "")) for name in names]


def _auth(spec: dict[str, Any], op: dict[str, Any]) -> str:
    """Each alternative (OR), each naming the credentials sent together (AND)."""
    requirements = op.get("security", spec.get("security", []))
    if not requirements:
        return "none"
    schemes = spec.get("components", {}).get("securitySchemes", {})
    alternatives = []
    for requirement in requirements:
        names = []
        for name in requirement:
            scheme = schemes.get(name, {})
            if scheme.get("type") == "http" and scheme.get("scheme") == "bearer":
                names.append(f"`Authorization: Bearer <token>` ({name})")
            elif scheme.get("type") == "mutualTLS":
                names.append(f"a client certificate ({name})")
            elif scheme.get("type") == "apiKey":
                names.append(f"{scheme.get('in')} {_code(scheme.get('name', ''))} ({name})")
            else:
                names.append(name)
        alternatives.append(" with ".join(names))
    return " or ".join(alternatives)


def _content(schemas: _Schemas, content: dict[str, Any] | None) -> str:
    if not content:
        return "—"
    return "; ".join(f"{schemas.type_of(body.get('schema'))} ({_code(media)})"
                     for media, body in content.items())


def _operation(spec: dict[str, Any], schemas: _Schemas, method: str, path: str,
               op: dict[str, Any]) -> list[str]:
    lines = [f"### {method.upper()} {path}", ""]
    if op.get("summary"):
        lines += [f"**{_oneline(op['summary'])}**", ""]
    if op.get("description"):
        lines += [_paragraphs(op["description"]), ""]
    meta = f"Operation id: {_code(op['operationId'])}. " if op.get("operationId") else ""
    lines += [f"{meta}Authentication: {_auth(spec, op)}.", ""]

    params = sorted(op.get("parameters", []),
                    key=lambda p: _IN_ORDER.get(p.get("in", ""), 9))
    if params:
        rows = []
        for p in params:
            schema = p.get("schema", {})
            rows.append([_code(p["name"]), p.get("in", ""), schemas.type_of(schema),
                         "yes" if p.get("required") else "no",
                         ", ".join(schemas.constraints(schema)),
                         _oneline(p.get("description")) or schemas.description(schema)])
        lines += ["Parameters:", ""]
        lines += _table(["Name", "In", "Type", "Required", "Constraints", "Description"], rows)
        lines.append("")

    body = op.get("requestBody")
    if body:
        required = "required" if body.get("required") else "optional"
        lines += [f"Request body ({required}): {_content(schemas, body.get('content'))}", ""]

    responses = op.get("responses", {})
    if responses:
        rows = [[_code(status), _oneline(r.get("description")), _content(schemas, r.get("content"))]
                for status, r in responses.items()]
        lines += ["Responses:", ""]
        lines += _table(["Status", "Meaning", "Body"], rows)
        lines.append("")
    return lines


def _schema(schemas: _Schemas, name: str, schema: dict[str, Any]) -> list[str]:
    lines = [f"### {name}", ""]
    if schema.get("description"):
        lines += [_paragraphs(schema["description"]), ""]
    properties = schema.get("properties")
    if properties:
        required = set(schema.get("required", []))
        rows = [[_code(prop), schemas.type_of(s), "yes" if prop in required else "no",
                 ", ".join(schemas.constraints(s)), schemas.description(s)]
                for prop, s in properties.items()]
        lines += _table(["Property", "Type", "Required", "Constraints", "Description"], rows)
        lines.append("")
        extra = schema.get("additionalProperties")
        if extra is False:
            lines += ["Unknown properties are rejected.", ""]
        elif isinstance(extra, dict):
            lines += [f"Other properties: {schemas.type_of(extra)}.", ""]
    elif "enum" in schema:
        lines += [f"Type: {schemas.type_of(schema)}. One of:", ""]
        lines += [f"- {_code(str(v))}" for v in schema["enum"]]
        lines.append("")
    else:
        kind = schemas.type_of(schema)
        constraints = schemas.constraints(schema)
        lines += [f"Type: {kind}" + (f" ({', '.join(constraints)})" if constraints else "")
                  + ".", ""]
    return lines


# document ---------------------------------------------------------------------------------
def render(spec: dict[str, Any]) -> str:
    """The Markdown reference for an OpenAPI 3.x document."""
    info = spec.get("info", {})
    components = spec.get("components", {}).get("schemas", {})
    schemas = _Schemas(components)
    ops = _operations(spec)
    tags = _tags(spec, ops)

    title = info.get("title", "API")
    lines = [
        f"# {title} reference",
        "",
        "<!-- Generated from docs/openapi.json by `python -m bluelight.kernel.apidoc`."
        " Do not edit: run `make docs`. -->",
        "",
        f"OpenAPI {spec.get('openapi', '?')}, API version {info.get('version', '?')}.",
        "",
    ]
    if info.get("description"):
        lines += [_paragraphs(info["description"]), ""]

    schemes = spec.get("components", {}).get("securitySchemes", {})
    if schemes:
        lines += ["## Authentication", ""]
        for name, scheme in schemes.items():
            kind = scheme.get("type", "")
            if kind == "http":
                kind = f"HTTP {scheme.get('scheme', '')}".strip()
            text = _oneline(scheme.get("description"))
            lines.append(f"- {_code(name)}: {kind}." + (f" {text}" if text else ""))
        lines.append("")

    lines += ["## Contents", ""]
    for tag, _ in tags:
        lines.append(f"- [{tag}](#{anchor(tag)})")
        for method, path, op in ops:
            if tag in (op.get("tags") or ["other"]):
                heading = f"{method.upper()} {path}"
                lines.append(f"  - [{_code(heading)}](#{anchor(heading)})"
                             + (f": {_oneline(op['summary'])}" if op.get("summary") else ""))
    if components:
        lines.append("- [Schemas](#schemas)")
    lines.append("")

    for tag, description in tags:
        lines += [f"## {tag}", ""]
        if description:
            lines += [_paragraphs(description), ""]
        for method, path, op in ops:
            if tag in (op.get("tags") or ["other"]):
                lines += _operation(spec, schemas, method, path, op)

    if components:
        lines += ["## Schemas", ""]
        lines += ["Index: " + ", ".join(f"[{n}](#{anchor(n)})" for n in sorted(components)), ""]
        for name, schema in components.items():
            lines += _schema(schemas, name, schema)

    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m bluelight.kernel.apidoc OPENAPI_JSON OUTPUT_MD",
              file=sys.stderr)
        return 2
    source, target = Path(args[0]), Path(args[1])
    try:
        spec = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"error: cannot read {source}: {exc}", file=sys.stderr)
        return 1
    target.write_text(render(spec), encoding="utf-8", newline="\n")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
