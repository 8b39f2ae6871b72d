"""Administration over HTTP: agencies, credentials, data-sharing agreements and the
audit log. Only a signed-in console operator with the admin role may call these; every
change is audited under their name. No endpoint here returns incident content: an
administrator manages the hub, not the agencies' traffic."""

from __future__ import annotations

import time
from typing import Annotated

import msgspec

from bluelight.hub.domain.agency import Agency
from bluelight.hub.domain.audit import AuditRecord, Verification
from bluelight.hub.domain.sharing import Agreement, AgreementId, AgreementTerms
from bluelight.hub.services import audit, credentials, directory, sharing
from bluelight.kernel.errors import Conflict
from bluelight.kernel.routing import Api, Call, Param

api = Api()
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


def _by(call: Call) -> str:
    return audit.actor(call.agency)


@api.route("GET", "/v1/admin/agreements", summary="Every agreement, every version",
           tag="admin", response=list[Agreement], errors=(401, 403), role=ADMIN)
async def admin_agreements(call: Call) -> list[Agreement]:
    return await call.hub.store.read(lambda repo: repo.agreement_versions())


@api.route("POST", "/v1/admin/agreements", summary="State a data-sharing agreement",
           tag="admin", body=NewAgreement, ok=201, response=Agreement,
           errors=_CHANGE_ERRORS, role=ADMIN,
           description="Version 1 of a new agreement. It applies to transfers sent from "
                       "now on between any two of its parties.")
async def add_agreement(call: Call) -> Agreement:
    body = call.body
    terms = AgreementTerms(**{f: getattr(body, f) for f in AgreementTerms.__struct_fields__})

    def job(repo):
        if repo.agreement_versions(body.id):
            raise Conflict(f"agreement {body.id!r} exists; add a version to amend it")
        return sharing.add(body.id, terms, _by(call), time.time())(repo)

    return await call.hub.store.write(job)


@api.route("POST", "/v1/admin/agreements/{agreement_id}/versions",
           summary="Amend an agreement (its next version)", tag="admin", body=AgreementTerms,
           ok=201, response=Agreement, errors=_CHANGE_ERRORS, role=ADMIN)
async def amend_agreement(call: Call) -> Agreement:
    return await call.hub.store.write(
        sharing.amend(call.path["agreement_id"], call.body, _by(call), time.time()))


@api.route("POST", "/v1/admin/agreements/{agreement_id}/withdrawal",
           summary="Withdraw an agreement", tag="admin", response=Done,
           errors=(401, 403, 404, 409), role=ADMIN,
           description="From now on only the operational minimum flows between its parties "
                       "(unless another agreement covers them).")
async def withdraw_agreement(call: Call) -> Done:
    agreement_id = call.path["agreement_id"]
    await call.hub.store.write(sharing.withdraw(agreement_id, _by(call), time.time()))
    return Done(done=f"withdrew {agreement_id}")


@api.route("POST", "/v1/admin/agencies", summary="Register an agency", tag="admin",
           body=Agency, ok=201, response=IssuedToken, errors=_CHANGE_ERRORS, role=ADMIN)
async def add_agency(call: Call) -> IssuedToken:
    token, job = directory.register(call.body, time.time(), _by(call))
    await call.hub.store.write(job)
    return IssuedToken(agency=call.body.id, key_id=credentials.split(token)[0], token=token)


@api.route("GET", "/v1/admin/agencies/{agency_id}/credentials",
           summary="An agency's credentials (key ids only)", tag="admin",
           response=list[Credential], errors=(401, 403), role=ADMIN)
async def list_credentials(call: Call) -> list[Credential]:
    rows = await call.hub.store.read(lambda repo: repo.credentials_of(call.path["agency_id"]))
    return [Credential(key_id=k, created_at=c, revoked_at=r) for k, c, r in rows]


@api.route("POST", "/v1/admin/agencies/{agency_id}/credentials",
           summary="Issue another credential (rotation)", tag="admin", ok=201,
           response=IssuedToken, errors=(401, 403, 404), role=ADMIN,
           description="The token is in this response only. Revoke the old one once the "
                       "agency's systems use the new one: no downtime.")
async def issue_credential(call: Call) -> IssuedToken:
    agency_id = call.path["agency_id"]
    token, job = directory.new_credential(agency_id, time.time(), _by(call))
    await call.hub.store.write(job)
    return IssuedToken(agency=agency_id, key_id=credentials.split(token)[0], token=token)


@api.route("POST", "/v1/admin/credentials/{key_id}/revocation",
           summary="Revoke a credential at once", tag="admin", response=Done,
           errors=(401, 403, 404), role=ADMIN,
           description="Requests with it fail from now on; open streams using it are "
                       "closed within half a second.")
async def revoke_credential(call: Call) -> Done:
    key_id = call.path["key_id"]
    await call.hub.store.write(directory.revoke(key_id, time.time(), _by(call)))
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
async def read_audit(call: Call) -> list[AuditRecord]:
    q = call.query

    def job(repo):
        out = []
        for record in repo.audit_records(incident_id=q["incident_id"], agency=q["agency"],
                                         after=q["after"]):
            out.append(record)
            if len(out) >= q["limit"]:
                break
        return out

    records = await call.hub.store.read(job)
    at, by = time.time(), _by(call)
    await call.hub.store.write(lambda repo: audit.record(
        repo, at, by, "audit.exported",
        detail={k: v for k, v in q.items() if v not in (None, 0)} | {"count": len(records)}))
    return records


@api.route("GET", "/v1/admin/audit/verification", summary="Check the audit log's chain",
           tag="admin", response=Verification, errors=(401, 403), role=ADMIN)
async def verify_audit(call: Call) -> Verification:
    return await call.hub.store.read(audit.check)
