"""The hub's HTTP API (v1). Thin: each handler turns a request into one Hub call."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from bluelight.hub.domain.agency import Agency, MessageFormat
from bluelight.hub.domain.commands import (
    Acknowledge,
    Decide,
    SubmitCancellation,
    SubmitClosure,
    SubmitIncident,
    SubmitUpdate,
)
from bluelight.hub.domain.incident import Incident
from bluelight.hub.domain.sharing import Agreement
from bluelight.hub.domain.signature import SignedKind
from bluelight.hub.domain.transfer import SEQ_MAX, Transfer, TransferState
from bluelight.hub.services import history
from bluelight.hub.services.hub import TIMELINE_PAGE, Hub
from bluelight.hub.services.signatures import KeySet, TransferSignatures
from bluelight.hub.services.views import (
    Inbox,
    Receipt,
    SharingPreview,
    Timeline,
    TransferExport,
    TransferView,
    UpdatePage,
)
from bluelight.kernel.routing import Api, Call, Param, Result
from bluelight.wire.stats import Stats

api: Api[Hub] = Api()
HubCall = Call[Hub]  # what each handler gets: `call.ctx` is the Hub

Limit = Annotated[int, msgspec.Meta(ge=1, le=1000)]
After = Annotated[int, msgspec.Meta(ge=0, le=SEQ_MAX)]  # a seq, as the store can hold it
UpdateLimit = Annotated[int, msgspec.Meta(ge=1, le=history.MAX_PAGE)]
_SUBMIT_ERRORS = (400, 401, 409, 413, 415, 422, 503)


class Acknowledged(msgspec.Struct):
    acknowledged: int


class Health(msgspec.Struct):
    status: Literal["ok", "degraded"]
    store: Literal["ok", "read-only"] = "ok"
    detail: str | msgspec.UnsetType = msgspec.UNSET  # why the store cannot write


class SharingPreviewRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    recipients: Annotated[list[str], msgspec.Meta(min_length=1, max_length=50)]
    incident: Incident


def _receipt(outcome: tuple[Receipt, bool]) -> Result:
    receipt, created = outcome
    return Result(201 if created else 200, receipt)


@api.route("GET", "/healthz", summary="Liveness, and whether the hub can store", tag="hub",
           response=Health, auth=False,
           description="200 `{\"status\": \"ok\", \"store\": \"ok\"}` while the hub "
                       "serves requests and can write its database. 503 `{\"status\": "
                       "\"degraded\", \"store\": \"read-only\", \"detail\": ...}` when "
                       "it cannot (a read-only disk or file): submissions then get 503 "
                       "storage-unavailable until the disk is fixed and the hub restarted.")
async def healthz(call: HubCall) -> Health | Result:
    reason = call.ctx.health()
    if reason is None:
        return Health("ok")
    return Result(503, Health("degraded", "read-only", reason))


@api.route("GET", "/v1/agencies", summary="The agency directory", tag="directory",
           response=list[Agency], errors=(401,),
           description="Every agency on the hub, with the phone number to ring when an "
                       "electronic transfer is overdue.")
async def list_agencies(call: HubCall) -> list[Agency]:
    return await call.ctx.agencies()


@api.route("GET", "/v1/agencies/{agency_id}/keys", summary="An agency's signing keys",
           tag="directory", response=KeySet, errors=(401, 404),
           description="The public keys the agency signs its messages with, as JWKs (a JWK "
                       "set), revoked ones included with when they were revoked, so that a "
                       "recipient can verify a signature end to end.")
async def agency_keys(call: HubCall) -> KeySet:
    return await call.ctx.signing_keys(call.path["agency_id"])


@api.route("POST", "/v1/incidents", summary="Send an incident to partner agencies",
           tag="sending", body=SubmitIncident, ok=201, response=Receipt, errors=_SUBMIT_ERRORS,
           signed=SignedKind.INCIDENT,
           description="Answers only after the incident is durably stored (201). Resending "
                       "the same message_id returns the original receipt (200) and creates "
                       "nothing; the same message_id with other content is a 409.")
async def submit_incident(call: HubCall) -> Result:
    return _receipt(await call.ctx.submit_incident(call.agency, call.body,
                                                   signature=call.signature))


@api.route("POST", "/v1/incidents/{reference}/updates", summary="Update an incident you sent",
           tag="sending", body=SubmitUpdate, ok=201, response=Receipt,
           errors=(*_SUBMIT_ERRORS, 404), signed=SignedKind.UPDATE)
async def submit_update(call: HubCall) -> Result:
    return _receipt(await call.ctx.submit_update(call.agency, call.path["reference"], call.body,
                                                 signature=call.signature))


@api.route("POST", "/v1/incidents/{reference}/closure", summary="Close an incident you sent",
           tag="sending", body=SubmitClosure, ok=201, response=Receipt,
           errors=(*_SUBMIT_ERRORS, 404), signed=SignedKind.CLOSURE)
async def submit_closure(call: HubCall) -> Result:
    return _receipt(await call.ctx.submit_closure(call.agency, call.path["reference"],
                                                  call.body, signature=call.signature))


@api.route("POST", "/v1/incidents/{reference}/cancellation",
           summary="Cancel an incident sent in error", tag="sending", body=SubmitCancellation,
           ok=201, response=Receipt, errors=(*_SUBMIT_ERRORS, 404),
           signed=SignedKind.CANCELLATION)
async def submit_cancellation(call: HubCall) -> Result:
    return _receipt(await call.ctx.submit_cancellation(call.agency, call.path["reference"],
                                                       call.body, signature=call.signature))


@api.route("POST", "/v1/messages", summary="Send a message in another standard",
           tag="sending", ok=201, raw_body=True, errors=(401, 404, 409, 413, 422, 503),
           signed=SignedKind.MESSAGE,
           query=(Param("format", MessageFormat | None,
                        "The message's standard; default: your agency's configured one, "
                        "or detected from the content"),),
           description="An incident, update, closure, cancellation or acknowledgement in "
                       "NENA EIDO, EDXL-DE (CISU/EMSI), CAP 1.2 or the MAIT XML profile. "
                       "The hub translates it and handles it as the native message; the "
                       "message is also stored exactly as received. Fields that could not "
                       "be translated are listed on the transfer (`losses`).")
async def receive_message(call: HubCall) -> Result:
    fmt = call.query["format"].value if call.query["format"] else None
    media_type = call.request.headers.get("content-type", "application/octet-stream")
    result, created = await call.ctx.receive_message(call.agency, fmt, call.body, media_type,
                                                     signature=call.signature)
    return Result(201 if created else 200, result)


@api.route("GET", "/v1/transfers", summary="Transfers you sent or received", tag="transfers",
           response=list[Transfer], errors=(401, 422),
           query=(Param("role", Literal["sent", "received"] | None, "Only sent or received"),
                  Param("state", TransferState | None, "Only transfers in this state"),
                  Param("limit", Limit, "At most this many, newest first", 100)))
async def list_transfers(call: HubCall) -> list[Transfer]:
    q = call.query
    state = q["state"].value if q["state"] else None
    return await call.ctx.transfers(call.agency, q["role"], state, q["limit"])


@api.route("GET", "/v1/transfers/{transfer_id}", summary="One transfer and its incident",
           tag="transfers", response=TransferView, errors=(401, 404))
async def get_transfer(call: HubCall) -> TransferView:
    return await call.ctx.transfer(call.agency, call.path["transfer_id"])


@api.route("GET", "/v1/transfers/{transfer_id}/signatures",
           summary="The senders' signatures over a transfer's messages", tag="transfers",
           response=TransferSignatures, errors=(401, 404),
           description="Each kept signature (a JWS with a detached payload) and, unless the "
                       "data-sharing agreement withheld fields from the recipient, the exact "
                       "signed bytes (base64url), so a party can verify it end to end with "
                       "the signer's public key from GET /v1/agencies/{agency_id}/keys.")
async def get_signatures(call: HubCall) -> TransferSignatures:
    return await call.ctx.transfer_signatures(call.agency, call.path["transfer_id"])


def _paged(what: str, limit: type, default: int) -> tuple[Param, Param]:
    """The query of a paged read: a cursor (the page before's `next_after`) and a size."""
    return (Param("after", After, f"{what} after this cursor (`next_after` of the page "
                  "before)", 0),
            Param("limit", limit, f"At most this many {what.lower()}", default))


@api.route("GET", "/v1/transfers/{transfer_id}/timeline",
           summary="Everything that happened to a transfer", tag="transfers", response=Timeline,
           errors=(401, 404, 422), query=_paged("Logged events", Limit, TIMELINE_PAGE),
           description="In time order, a page at a time: `next_after`, when present, is "
                       "the cursor of the next page. An update's event names its `version` "
                       "and the fields it replaced; its text is in the update history.")
async def get_timeline(call: HubCall) -> Timeline:
    return await call.ctx.timeline(call.agency, call.path["transfer_id"],
                                   call.query["after"], call.query["limit"])


@api.route("GET", "/v1/transfers/{transfer_id}/updates",
           summary="The incident's update history", tag="transfers", response=UpdatePage,
           errors=(401, 404, 422), query=_paged("Updates", UpdateLimit, history.PAGE),
           description="Every update the sender made to the incident, oldest first, a page "
                       "at a time (the cursor is a version): who sent it, when, under which "
                       "message_id, and its text (left out where your data-sharing "
                       "agreement withholds it). Audited.")
async def get_updates(call: HubCall) -> UpdatePage:
    return await call.ctx.updates(call.agency, call.path["transfer_id"],
                                  call.query["after"], call.query["limit"])


@api.route("GET", "/v1/transfers/{transfer_id}/export",
           summary="A transfer as one record for your files", tag="transfers",
           response=TransferExport, errors=(401, 404, 422),
           query=(Param("format", MessageFormat | None,
                        "Also write the incident and its update history in this standard "
                        "(`rendered`); default: your agency's configured one"),),
           description="The transfer, the incident as your agency may see it (the "
                       "recipient's copy is redacted by the data-sharing agreement, as "
                       "everywhere), its timeline and its update history. Bounded: past "
                       "1,000 timeline events or 200 updates, `timeline_next_after` and "
                       "`updates_next_after` say where the timeline and updates endpoints "
                       "carry on. Audited.")
async def export_transfer(call: HubCall) -> TransferExport:
    fmt = call.query["format"]
    return await call.ctx.export(call.agency, call.path["transfer_id"],
                                 fmt.value if fmt else None)


@api.route("POST", "/v1/sharing/preview", summary="What will each partner receive?",
           tag="sharing", body=SharingPreviewRequest, response=list[SharingPreview],
           errors=(400, 401, 413, 415, 422),
           description="Before sending: for each recipient, the data-sharing agreement "
                       "that would apply (or none), the classes of data it allows, the "
                       "fields that would be withheld, and the incident exactly as that "
                       "partner would receive it. Nothing is sent or stored.")
async def preview_sharing(call: HubCall) -> list[SharingPreview]:
    return await call.ctx.preview(call.agency, call.body.recipients, call.body.incident)


@api.route("GET", "/v1/agreements", summary="Your data-sharing agreements", tag="sharing",
           response=list[Agreement], errors=(401,),
           description="Every version of every agreement your agency is party to, newest "
                       "version first. Transfers name the version they were sent under.")
async def list_agreements(call: HubCall) -> list[Agreement]:
    return await call.ctx.agreements(call.agency)


@api.route("POST", "/v1/transfers/{transfer_id}/decision",
           summary="Accept or reject a transfer you received", tag="receiving", body=Decide,
           response=TransferView, errors=(400, 401, 403, 404, 409, 413, 415, 422, 503),
           signed=SignedKind.DECISION)
async def decide(call: HubCall) -> TransferView:
    body = call.body
    if call.operator:  # a console decision is recorded under the signed-in operator
        body = msgspec.structs.replace(body, operator=call.operator)
    return await call.ctx.decide(call.agency, call.path["transfer_id"], body,
                                 signature=call.signature)


@api.route("GET", "/v1/inbox", summary="Poll your mailbox", tag="receiving", response=Inbox,
           errors=(401, 422),
           query=(Param("after", After | None,
                        "Entries after this seq, preceded by any earlier one not yet "
                        "acknowledged. Omit for everything not yet acknowledged."),
                  Param("limit", Limit, "At most this many", 100),
                  Param("format", MessageFormat | None,
                        "Also write each entry in this standard (`rendered`); default: "
                        "your agency's configured one")),
           description="The same entries the WebSocket stream pushes. Acknowledge each one.")
async def inbox(call: HubCall) -> Inbox:
    page = await call.ctx.inbox(call.agency, call.query["after"], call.query["limit"])
    fmt = call.query["format"]
    fmt = fmt.value if fmt else await call.ctx.format_of(call.agency)
    page.entries = call.ctx.render(page.entries, fmt)
    return page


@api.route("POST", "/v1/inbox/acks", summary="Acknowledge mailbox entries", tag="receiving",
           body=Acknowledge, response=Acknowledged, errors=(400, 401, 413, 415, 422, 503),
           description="Acknowledging an incident confirms delivery to your system: the "
                       "sender then sees 'delivered'. Acknowledging twice is harmless.")
async def acknowledge(call: HubCall) -> Acknowledged:
    return Acknowledged(await call.ctx.acknowledge(call.agency, call.body.seqs))


@api.route("GET", "/v1/stats", summary="Transfer performance for your agency's pairs",
           tag="reporting", response=Stats, errors=(401, 422),
           query=(Param("since", Annotated[float, msgspec.Meta(ge=0)] | None,
                        "Only transfers submitted at or after this time (epoch seconds)"),))
async def get_stats(call: HubCall) -> Stats:
    return await call.ctx.stats(call.agency, call.query["since"])
