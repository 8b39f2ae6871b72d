"""`bluelight convert` and `bluelight validate` on real documents."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import xmlschema

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SCHEMAS = Path(__file__).resolve().parents[2] / "src/bluelight/hub/adapters/codecs/schemas"


def bluelight(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bluelight.cli", *args],
                          input=stdin, capture_output=True, timeout=60, env=os.environ)


@pytest.mark.parametrize("sample, fmt", [
    ("cap/ea-flood-warning.xml", "cap"),
    ("mait/incident-create.xml", "mait-xml"),
    ("mait/acknowledgement.xml", "mait-xml"),
    ("eido/cardiff-concern-for-welfare.json", "eido"),
    ("edxl/uk-coach-crash-to-samu62.json", "edxl-de"),
    ("edxl/uk-coach-crash-to-samu62.xml", "edxl-de"),
])
def test_validate_detects_the_format_and_accepts_good_documents(sample, fmt):
    result = bluelight("validate", str(SAMPLES / sample))
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().startswith(f"valid {fmt}: ")


def test_convert_eido_to_mait_xml_gives_a_valid_profile_document():
    result = bluelight("convert", str(SAMPLES / "eido/cardiff-concern-for-welfare.json"),
                       "--to", "mait-xml")
    assert result.returncode == 0, result.stderr
    xmlschema.XMLSchema(SCHEMAS / "bluelight-mait-1.0.xsd").validate(result.stdout)


def test_convert_mait_to_cap_validates_and_lists_what_a_public_alert_drops():
    result = bluelight("convert", "-", "--from", "mait-xml", "--to", "cap",
                       stdin=(SAMPLES / "mait/incident-create.xml").read_bytes())
    assert result.returncode == 0, result.stderr
    xmlschema.XMLSchema(SCHEMAS / "CAP-v1.2.xsd").validate(result.stdout)
    stderr = result.stderr.decode()
    assert "not carried (cap)" in stderr and "incident.caller" in stderr


@pytest.mark.parametrize("document, needle", [
    (b"<?xml version='1.0'?><!DOCTYPE a [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><a>&x;</a>",
     "DTD"),
    (b'{"just": "json"}', "unrecognised"),
    (b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><identifier>x</identifier></alert>",
     "cap"),
])
def test_invalid_input_exits_non_zero_with_a_clear_message(document, needle):
    result = bluelight("validate", "-", stdin=document)
    assert result.returncode == 1
    stderr = result.stderr.decode()
    assert needle in stderr and "Traceback" not in stderr


def test_a_missing_file_is_a_clear_error():
    result = bluelight("convert", "/nonexistent/file.xml", "--to", "cap")
    assert result.returncode == 2 and b"cannot read" in result.stderr
