"""Safe XML parsing for every XML codec.

Partners' XML is untrusted. A document type declaration is refused outright: with no
DTD there can be no external entity (XXE), no entity expansion ("billion laughs"), and
nothing fetched from the network. lxml is also told never to resolve entities or touch
the network, and input size is capped before parsing."""

from __future__ import annotations

import re

from lxml import etree

from bluelight.hub.adapters.codecs.base import CodecError
from bluelight.kernel.errors import FieldFault

MAX_BYTES = 1_000_000
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
    huge_tree=False, remove_comments=True, remove_pis=True,
)


def parse(data: bytes, format_: str, *, max_bytes: int = MAX_BYTES) -> etree._Element:
    """The root element, or CodecError naming the fault."""
    if len(data) > max_bytes:
        raise CodecError(format_, f"document is {len(data)} bytes; the limit is {max_bytes}",
                         [FieldFault("(document)", "too large")])
    if _DTD.search(data):
        raise CodecError(format_, "document type declarations (DTDs) and entities are not "
                         "accepted", [FieldFault("(document)", "contains a DTD or entity")])
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise CodecError(format_, f"not well-formed XML: {exc}",
                         [FieldFault("(document)", "not well-formed XML")]) from None
    if root is None:
        raise CodecError(format_, "empty document", [FieldFault("(document)", "empty")])
    return root
