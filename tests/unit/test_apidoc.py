"""entrypoints.apidoc: the Markdown API reference rendered from the OpenAPI document, and
the committed copies in docs/ kept in step with the code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bluelight import api_document
from bluelight.kernel import apidoc

DOCS = Path(__file__).resolve().parents[2] / "docs"
STALE = "{name} is out of date with the code: run `make docs` and commit the result"


@pytest.fixture(scope="module")
def spec() -> dict:
    return api_document.document()


@pytest.fixture(scope="module")
def markdown(spec: dict) -> str:
    return apidoc.render(spec)


def test_every_path_is_documented(spec: dict, markdown: str) -> None:
    for path, item in spec["paths"].items():
        for method in item:
            assert f"### {method.upper()} {path}\n" in markdown, f"{method} {path} missing"


def test_every_schema_is_documented(spec: dict, markdown: str) -> None:
    for name in spec["components"]["schemas"]:
        assert f"### {name}\n" in markdown, f"schema {name} missing"


def test_unions_refs_and_constraints_read_naturally(markdown: str) -> None:
    assert "| `detail` | string \\| null | no |" in markdown
    assert "[Incident](#incident) \\| null" in markdown
    assert "| `recipients` | string[] | yes | items 1–50, each: pattern" in markdown
    assert "| `limit` | query | integer | no | >= 1, <= 1000 |" in markdown
    assert "Request body (required): [SubmitIncident](#submitincident)" in markdown


def test_rendering_is_pure_and_survives_a_json_round_trip(spec: dict, markdown: str) -> None:
    assert apidoc.render(json.loads(json.dumps(spec))) == markdown


def test_render_handles_openapi_31_type_lists_and_oneof() -> None:
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {"A": {"type": "object", "required": ["x"],
                                         "additionalProperties": False, "properties": {
            "x": {"type": ["string", "null"], "maxLength": 3},
            "y": {"oneOf": [{"$ref": "#/components/schemas/B"}, {"type": "integer"}]},
        }}, "B": {"enum": ["p", "q"]}}},
    }
    text = apidoc.render(spec)
    assert "| `x` | string \\| null | yes | length <= 3 |" in text
    assert "| `y` | [B](#b) \\| integer | no | one of `p`, `q` |" in text
    assert "Unknown properties are rejected." in text


def test_committed_openapi_json_is_current(spec: dict) -> None:
    committed = DOCS / "openapi.json"
    assert committed.is_file(), STALE.format(name="docs/openapi.json (missing)")
    assert json.loads(committed.read_text(encoding="utf-8")) == spec, \
        STALE.format(name="docs/openapi.json")


def test_committed_api_reference_is_current(markdown: str) -> None:
    committed = DOCS / "api-reference.md"
    assert committed.is_file(), STALE.format(name="docs/api-reference.md (missing)")
    assert committed.read_text(encoding="utf-8") == markdown, \
        STALE.format(name="docs/api-reference.md")


def test_main_writes_the_reference(tmp_path: Path, spec: dict, markdown: str) -> None:
    source, target = tmp_path / "openapi.json", tmp_path / "api.md"
    source.write_text(json.dumps(spec, indent=2))
    assert apidoc.main([str(source), str(target)]) == 0
    assert target.read_text(encoding="utf-8") == markdown
    assert apidoc.main([str(source)]) == 2


def _descriptions(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                yield value
            else:
                yield from _descriptions(value)
    elif isinstance(node, list):
        for item in node:
            yield from _descriptions(item)


def test_descriptions_do_not_depend_on_how_python_compiled_the_docstrings(spec: dict) -> None:
    """Python 3.13 strips a docstring's indentation and 3.11 keeps it: the document
    normalises every description, so the committed copy is current on both."""
    import inspect

    found = list(_descriptions(spec))
    assert any("\n" in d for d in found)  # multi-line docstrings are among them
    for description in found:
        assert description == inspect.cleandoc(description), description[:80]
