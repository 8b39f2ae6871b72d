"""Duplicate JSON keys are found exactly, whatever the fast path's colon count says, and
JSON media types are told from the rest."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bluelight.kernel.json_keys import first_duplicate
from bluelight.kernel.routing import media_type_fault


@pytest.mark.parametrize(("raw", "path"), [
    (b'{"a": 1, "a": 2}', "a"),
    (b'{"a": {"b": [1, {"c": 1, "c": 2}]}}', "a.b[1].c"),
    (b'[{"x": 1}, {"y": 1, "y": 1}]', "[1].y"),
    (b'{"a": 1, "\\u0061": 2}', "a"),  # the same key, escaped
    (b'{"t": "10:15:00", "t": "10:16:00"}', "t"),  # colons inside strings
], ids=["top", "nested", "in-array", "escaped", "colons-in-values"])
def test_a_key_given_twice_is_named_by_its_path(raw, path):
    assert first_duplicate(raw) == path


@pytest.mark.parametrize("raw", [
    b'[{"x": 1}, {"x": 1}]',  # the same key in two objects is no duplicate
    b'{"a": "x:y", "b": "\\u003a", "c": "\\\\u003a"}',  # colons written every way
    b'{"a": {"a": {"a": 1}}}',
    b"[]", b"{}", b'"a:b"',
], ids=["two-objects", "escaped-colons", "same-name-nested", "empty-array", "empty-object",
        "string"])
def test_no_duplicate_is_reported_where_there_is_none(raw):
    assert first_duplicate(raw) is None


keys = st.text(alphabet=st.sampled_from("ab:\"\\é"), min_size=1, max_size=3)
values = st.recursive(st.none() | st.integers() | st.text(max_size=5),
                      lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(keys, inner, max_size=3), max_leaves=12)


@given(st.dictionaries(keys, values, min_size=1, max_size=4), st.booleans())
def test_the_fast_path_never_hides_a_duplicate(document, ascii_only):
    raw = json.dumps(document, ensure_ascii=ascii_only).encode()
    assert first_duplicate(raw) is None
    key = next(iter(document))
    doubled = raw.replace(b"{", b"{" + json.dumps(key).encode() + b": 0, ", 1)
    assert first_duplicate(doubled) == key


@pytest.mark.parametrize("ctype", [
    "application/json", "application/json; charset=utf-8", "APPLICATION/JSON",
    "application/problem+json", 'application/json; charset="utf-8"', "application/json;",
])
def test_json_media_types_are_accepted(ctype):
    assert media_type_fault(ctype) is None


@pytest.mark.parametrize("ctype", [
    "text/notjson", "text/plain; x=json", "application/jsonx", "application/+json",
    "application/json; charset=latin-1", "json", "", "text/json",
])
def test_other_media_types_are_refused(ctype):
    assert media_type_fault(ctype)
