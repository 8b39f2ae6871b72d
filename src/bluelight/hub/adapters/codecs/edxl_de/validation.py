"""Checking a message in its JSON shape: against the upstream schemas when there are
some, else with the structural checks below, which the codec carries itself (see
"Validation" in docs/codecs/edxl-de.md)."""

from __future__ import annotations

from typing import Any

from bluelight.hub.adapters.codecs.edxl_de.datetimes import parse_datetime
from bluelight.hub.adapters.codecs.edxl_de.profile import (
    BUILTIN_CONTENT_KINDS,
    DISTRIBUTION_KINDS,
    DISTRIBUTION_STATUSES,
    EMBEDDED_MESSAGE_PATH,
    ENVELOPE_FIELDS,
    MESSAGE_STATUSES,
    SUPPORTED_KINDS,
)
from bluelight.hub.adapters.codecs.edxl_de.schema import HubSchemas, schema_faults
from bluelight.kernel.errors import FieldFault

# A small schema language for the checks that run without the upstream schemas:
# "string", a tuple of allowed strings, a dict {"required": [...], "closed": bool,
# "props": {...}}, or ("array", item spec, min items).
_CONTENT_OBJECT = {"required": ["jsonContent"], "closed": True, "props": {
    "jsonContent": {"required": ["embeddedJsonContent"], "closed": True, "props": {
        "embeddedJsonContent": {"required": [], "closed": False, "props": {}}}}}}
_ENVELOPE = {"required": list(ENVELOPE_FIELDS), "closed": True, "props": {
    "distributionID": "string", "senderID": "string", "dateTimeSent": "string",
    "dateTimeExpires": "string", "distributionStatus": DISTRIBUTION_STATUSES,
    "distributionKind": DISTRIBUTION_KINDS,
    "descriptor": {"required": ["explicitAddress", "language"], "closed": True, "props": {
        "language": "string",
        "explicitAddress": {"required": ["explicitAddressScheme", "explicitAddressValue"],
                            "closed": True, "props": {"explicitAddressScheme": "string",
                                                      "explicitAddressValue": "string"}}}},
    "content": ("array", _CONTENT_OBJECT, 1)}}
_PARTY = {"required": ["name", "URI"], "closed": True, "props": {"name": "string",
                                                                 "URI": "string"}}
_RC_DE = {"required": ["messageId", "sender", "sentAt", "kind", "status", "recipient"],
          "closed": False, "props": {"messageId": "string", "sender": _PARTY,
                                     "sentAt": "string", "kind": DISTRIBUTION_KINDS,
                                     "status": MESSAGE_STATUSES,
                                     "recipient": ("array", _PARTY, 1)}}
_CODE = {"required": ["code", "label"], "closed": False, "props": {"code": "string",
                                                                   "label": "string"}}
_KIND_SPECS = {
    "createCase": {"required": ["caseId", "creation", "referenceVersion", "qualification",
                                "location"], "closed": False, "props": {
        "caseId": "string", "creation": "string", "referenceVersion": "string",
        "qualification": {"required": ["whatsHappen"], "closed": False,
                          "props": {"whatsHappen": _CODE}},
        "location": {"required": ["locID", "country"], "closed": False,
                     "props": {"locID": "string", "country": "string"}}}},
    "emsi": {"required": ["CONTEXT", "EVENT"], "closed": False, "props": {
        "CONTEXT": {"required": ["ID", "MODE", "MSGTYPE"], "closed": False, "props": {
            "ID": "string", "MODE": ("ACTUAL", "EXERCS", "SYSTEM", "TEST"),
            "MSGTYPE": ("ACK", "ALERT", "CANCEL", "ERROR", "UPDATE")}},
        "EVENT": {"required": ["ID"], "closed": False, "props": {"ID": "string"}}}},
    "reference": {"required": ["distributionID"], "closed": False,
                  "props": {"distributionID": "string"}},
    "error": {"required": ["errorCode", "errorCause", "referencedDistributionID"],
              "closed": False, "props": {"errorCause": "string",
                                         "referencedDistributionID": "string",
                                         "errorCode": {"required": ["statusCode",
                                                                    "statusString"],
                                                       "closed": False, "props": {}}}},
}


def _check(value: Any, spec: Any, path: str, out: list[FieldFault]) -> None:
    if spec == "string":
        if not isinstance(value, str):
            out.append(FieldFault(path, "must be a string"))
    elif isinstance(spec, tuple) and spec and spec[0] == "array":
        _, item, minimum = spec
        if not isinstance(value, list):
            out.append(FieldFault(path, "must be an array"))
        elif len(value) < minimum:
            out.append(FieldFault(path, f"must have at least {minimum} item(s)"))
        else:
            for i, element in enumerate(value):
                _check(element, item, f"{path}[{i}]", out)
    elif isinstance(spec, tuple):
        if value not in spec:
            out.append(FieldFault(path, f"must be one of {', '.join(spec)}"))
    elif isinstance(spec, dict):
        if not isinstance(value, dict):
            out.append(FieldFault(path, "must be an object"))
            return
        for name in spec["required"]:
            if name not in value:
                out.append(FieldFault(f"{path}.{name}", "required property is missing"))
        for name, element in value.items():
            if name in spec["props"]:
                _check(element, spec["props"][name], f"{path}.{name}", out)
            elif spec["closed"]:
                out.append(FieldFault(f"{path}.{name}", "unknown property"))


def validate(doc: Any, schemas: HubSchemas | None) -> list[FieldFault]:
    if not isinstance(doc, dict):
        return [FieldFault("$", "the message must be an object")]
    faults: list[FieldFault] = []
    if schemas is not None:
        faults += schema_faults(schemas.envelope, doc, "$")
    else:
        _check(doc, _ENVELOPE, "$", faults)
    for name in ("dateTimeSent", "dateTimeExpires"):
        value = doc.get(name)
        if isinstance(value, str) and parse_datetime(value) is None:
            faults.append(FieldFault(f"$.{name}", "must be a date-time with a UTC offset"))
    content = doc.get("content")
    if isinstance(content, list):
        if len(content) > 1:
            faults.append(FieldFault("$.content", f"{len(content)} content objects: "
                                     "bluelight maps exactly one per message"))
        for i, obj in enumerate(content):
            faults += _content_faults(obj, f"$.content[{i}]", schemas)
    return faults


def _content_faults(obj: Any, path: str, schemas: HubSchemas | None) -> list[FieldFault]:
    json_content = obj.get("jsonContent") if isinstance(obj, dict) else None
    embedded = (json_content.get("embeddedJsonContent")
                if isinstance(json_content, dict) else None)
    if not isinstance(embedded, dict):
        return []  # already a fault of the envelope
    mpath = path + EMBEDDED_MESSAGE_PATH
    message = embedded.get("message")
    if not isinstance(message, dict):
        return [FieldFault(mpath, "required: the content must hold a message object")]
    if schemas is not None:
        table: dict[str, tuple[Any | None, bool]] = schemas.contents
    else:
        table = {kind: (None, rcde) for kind, rcde in BUILTIN_CONTENT_KINDS.items()}
    kinds = [name for name in message if name in table]
    faults: list[FieldFault] = []
    if not kinds:
        faults.append(FieldFault(mpath, "no content: the message holds none of the known "
                                 f"content kinds (bluelight maps {', '.join(SUPPORTED_KINDS)})"))
    elif len(kinds) > 1:
        faults.append(FieldFault(mpath, f"more than one content kind ({', '.join(kinds)}); "
                                 "a message holds exactly one"))
    elif kinds[0] not in SUPPORTED_KINDS:
        faults.append(FieldFault(f"{mpath}.{kinds[0]}", f"content kind '{kinds[0]}' is not "
                                 "one bluelight maps"))
    if not kinds or any(table[kind][1] for kind in kinds):
        if schemas is not None and schemas.message is not None:
            faults += schema_faults(schemas.message, message, mpath)
        else:
            _check(message, _RC_DE, mpath, faults)
    for kind in kinds:
        validator = table[kind][0]
        if validator is not None:
            faults += schema_faults(validator, message[kind], f"{mpath}.{kind}")
        elif kind in _KIND_SPECS:
            _check(message[kind], _KIND_SPECS[kind], f"{mpath}.{kind}", faults)
    return faults


def fault_summary(faults: list[FieldFault]) -> str:
    head = "; ".join(f"{f.field}: {f.fault}" for f in faults[:5])
    more = f" (and {len(faults) - 5} more)" if len(faults) > 5 else ""
    return f"invalid EDXL-DE message, {len(faults)} fault(s): {head}{more}"
