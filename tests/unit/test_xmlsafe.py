"""Hostile XML is refused with a clear reason, before anything is resolved or fetched."""

from __future__ import annotations

import pytest

from bluelight.hub.adapters.codecs import CodecError
from bluelight.hub.adapters.codecs.xmlsafe import parse

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<alert>&xxe;</alert>"""

REMOTE = b"""<?xml version="1.0"?>
<!DOCTYPE alert SYSTEM "http://203.0.113.9/evil.dtd"><alert/>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>"""


@pytest.mark.parametrize("document", [XXE, REMOTE, BILLION_LAUGHS,
                                      XXE.replace(b"DOCTYPE", b"doctype")],
                         ids=["xxe", "remote-dtd", "billion-laughs", "lower-case"])
def test_dtds_and_entities_are_refused(document):
    with pytest.raises(CodecError) as err:
        parse(document, "test")
    assert "DTD" in err.value.detail
    assert err.value.faults[0].field == "(document)"


def test_oversized_and_malformed_documents_are_refused():
    with pytest.raises(CodecError, match="limit"):
        parse(b"<a>" + b"x" * 2000 + b"</a>", "test", max_bytes=1000)
    with pytest.raises(CodecError, match="well-formed"):
        parse(b"<a><b></a>", "test")


def test_an_ordinary_document_parses():
    root = parse(b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><id>1</id></alert>',
                 "test")
    assert root.tag.endswith("alert")
