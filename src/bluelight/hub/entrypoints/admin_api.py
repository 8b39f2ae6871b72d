"""Administration over HTTP: agencies, credentials, data-sharing agreements and the
audit log, each handler one of the hub operator's use cases (`services.admin`). Only a
signed-in console operator with the admin role may call these; every change is audited
under their name. No endpoint here returns incident content: an administrator manages
the hub, not the agencies' traffic."""

from __future__ import annotations

from typing import Annotated

import msgspec

from bluelight.hub.domain.agency import Agency
from bluelight.hub.domain.audit import AuditRecord, Verification
from bluelight.hub.domain.sharing import Agreement, AgreementId, AgreementTerms
from bluelight.hub.services import audit, credentials
from bluelight.hub.services.admin import Admin
from bluelight.kernel.routing import Api, Call, Param

api: Api[Admin] = Api()
AdminCall = Call[Admin]  # what each handler gets: `call.ctx` is the administration
ADMIN = "admin"
_CHANGE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422)


class NewAgreement(AgreementTerms, kw_only=True, forbid_unknown_fields=True):
    id: AgreementId


class IssuedToken(msgspec.Struct, kw_only=True):
    agency: str
    key_id: str
    token: str  # shown once


class Credential(msgspec.Struct, kw_only=True):
    key_id: str
    created_at: float
    revoked_at: float | None = None


class Done(msgspec.Struct, kw_only=True):
    done: str


def _by(call: AdminCall) -> str:
    return audit.actor(call.agency)


@api.route("GET", "/v1/admin/agreements", summary="Every agreement, every version",
           tag="admin", response=list[Agreement], errors=(401, 403), role=ADMIN)
async def admin_agreements(call: AdminCall) -> list[Agreement]:
    return await call.ctx.agreements()


@api.route("POST", "/v1/admin/agreements", summary="State a data-sharing agreement",
           tag="admin", body=NewAgreement, ok=201, response=Agreement,
           errors=_CHANGE_ERRORS, role=ADMIN,
           description="Version 1 of a new agreement. It applies to transfers sent from "
                       "now on between any two of its parties.")
async def add_agreement(call: AdminCall) -> Agreement:
    body = call.body
    terms = AgreementTerms(**{f: getattr(body, f) for f in AgreementTerms.__struct_fields__})
    return await call.ctx.add_agreement(body.id, terms, _by(call))


@api.route("POST", "/v1/admin/agreements/{agreement_id}/versions",
           summary="Amend an agreement (its next version)", tag="admin", body=AgreementTerms,
           ok=201, response=Agreement, errors=_CHANGE_ERRORS, role=ADMIN)
async def amend_agreement(call: AdminCall) -> Agreement:
    return await call.ctx.amend_agreement(call.path["agreement_id"], call.body, _by(call))


@api.route("POST", "/v1/admin/agreements/{agreement_id}/withdrawal",
           summary="Withdraw an agreement", tag="admin", response=Done,
           errors=(401, 403, 404, 409), role=ADMIN,
           description="From now on only the operational minimum flows between its parties "
                       "(unless another agreement covers them).")
async def withdraw_agreement(call: AdminCall) -> Done:
    agreement_id = call.path["agreement_id"]
    await call.ctx.withdraw_agreement(agreement_id, _by(call))
    return Done(done=f"withdrew {agreement_id}")


@api.route("POST", "/v1/admin/agencies", summary="Register an agency", tag="admin",
           body=Agency, ok=201, response=IssuedToken, errors=_CHANGE_ERRORS, role=ADMIN)
async def add_agency(call: AdminCall) -> IssuedToken:
    token = await call.ctx.register_agency(call.body, _by(call))
    return IssuedToken(agency=call.body.id, key_id=credentials.split(token)[0], token=token)


@api.route("GET", "/v1/admin/agencies/{agency_id}/credentials",
           summary="An agency's credentials (key ids only)", tag="admin",
           response=list[Credential], errors=(401, 403), role=ADMIN)
async def list_credentials(call: AdminCall) -> list[Credential]:
    rows = await call.ctx.credentials(call.path["agency_id"])
    return [Credential(key_id=k, created_at=c, revoked_at=r) for k, c, r in rows]


@api.route("POST", "/v1/admin/agencies/{agency_id}/credentials",
           summary="Issue another credential (rotation)", tag="admin", ok=201,
           response=IssuedToken, errors=(401, 403, 404), role=ADMIN,
           description="The token is in this response only. Revoke the old one once the "
                       "agency's systems use the new one: no downtime.")
async def issue_credential(call: AdminCall) -> IssuedToken:
    agency_id = call.path["agency_id"]
    token = await call.ctx.issue_credential(agency_id, _by(call))
    return IssuedToken(agency=agency_id, key_id=credentials.split(token)[0], token=token)


@api.route("POST", "/v1/admin/credentials/{key_id}/revocation",
           summary="Revoke a credential at once", tag="admin", response=Done,
           errors=(401, 403, 404), role=ADMIN,
           description="Requests with it fail from now on; open streams using it are "
                       "closed within half a second.")
async def revoke_credential(call: AdminCall) -> Done:
    key_id = call.path["key_id"]
    await call.ctx.revoke_credential(key_id, _by(call))
    return Done(done=f"revoked {key_id}")


Limit = Annotated[int, msgspec.Meta(ge=1, le=10_000)]


@api.route("GET", "/v1/admin/audit", summary="Read the audit log", tag="admin",
           response=list[AuditRecord], errors=(401, 403, 422), role=ADMIN,
           query=(Param("incident_id", str | None, "Only records about this incident"),
                  Param("agency", str | None, "Only records by or about this agency"),
                  # At most SQLite's largest integer, which audit seqs are.
                  Param("after", Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)],
                        "After this seq", 0),
                  Param("limit", Limit, "At most this many", 1000)),
           description="Records carry hashes: check them with `bluelight audit verify`. "
                       "Reading the log is itself audited.")
async def read_audit(call: AdminCall) -> list[AuditRecord]:
    q = call.query
    records = await call.ctx.audit_records(incident_id=q["incident_id"], agency=q["agency"],
                                           after=q["after"], limit=q["limit"])
    await call.ctx.audit_exported(_by(call), detail={
        k: v for k, v in q.items() if v not in (None, 0)} | {"count": len(records)})
    return records


@api.route("GET", "/v1/admin/audit/verification", summary="Check the audit log's chain",
           tag="admin", response=Verification, errors=(401, 403), role=ADMIN)
async def verify_audit(call: AdminCall) -> Verification:
    return await call.ctx.verify_audit()
