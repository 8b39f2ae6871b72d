"""Use cases of data-sharing agreements: state, amend and withdraw them; decide what a
partner receives; preview it before sending."""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from bluelight.hub.domain.incident import Incident
from bluelight.hub.domain.sharing import (
    Agreement,
    AgreementTerms,
    DataClass,
    allowed_classes,
    check_terms,
    governing,
    redact,
)
from bluelight.hub.domain.transfer import AgreementRef, Transfer
from bluelight.hub.services import audit
from bluelight.hub.services.ports import Repository
from bluelight.hub.services.views import SharingPreview
from bluelight.kernel.errors import Conflict, Invalid, NotFound


def add(agreement_id: str, terms: AgreementTerms, by: str,
        at: float) -> Callable[[Repository], Agreement]:
    """A new agreement (version 1), or the next version of an existing one."""

    def job(repo: Repository) -> Agreement:
        check_terms(terms, (a.id for a in repo.agencies()))
        versions = repo.agreement_versions(agreement_id)
        version = versions[0].version + 1 if versions else 1
        agreement = Agreement(id=agreement_id, version=version, created_at=at, created_by=by,
                              **msgspec.structs.asdict(terms))
        repo.add_agreement(agreement)
        audit.record(repo, at, by, "agreement.added" if version == 1 else "agreement.amended",
                     detail={"agreement": agreement_id, "version": version,
                             "parties": terms.parties,
                             "data_classes": [c.value for c in terms.data_classes]})
        return agreement

    return job


def amend(agreement_id: str, terms: AgreementTerms, by: str,
          at: float) -> Callable[[Repository], Agreement]:
    """The next version of an agreement that exists and is in force."""
    new = add(agreement_id, terms, by, at)

    def job(repo: Repository) -> Agreement:
        versions = repo.agreement_versions(agreement_id)
        if not versions:
            raise NotFound(f"no agreement {agreement_id!r}")
        if versions[0].withdrawn_at is not None:
            raise Conflict(f"agreement {agreement_id!r} was withdrawn; state a new one")
        return new(repo)

    return job


def withdraw(agreement_id: str, by: str, at: float) -> Callable[[Repository], int]:
    def job(repo: Repository) -> int:
        if not repo.agreement_versions(agreement_id):
            raise NotFound(f"no agreement {agreement_id!r}")
        count = repo.withdraw_agreement(agreement_id, at)
        if count == 0:
            raise Conflict(f"agreement {agreement_id!r} is already withdrawn")
        audit.record(repo, at, by, "agreement.withdrawn", detail={"agreement": agreement_id})
        return count

    return job


def of_agency(repo: Repository, agency: str) -> list[Agreement]:
    """Every version of every agreement the agency is party to."""
    return [a for a in repo.agreement_versions() if agency in a.parties]


def terms_for(in_force: list[Agreement], sender: str,
              recipient: str) -> tuple[Agreement | None, frozenset[DataClass]]:
    agreement = governing(in_force, sender, recipient)
    return agreement, allowed_classes(agreement)


def allowed_on(repo: Repository, transfer: Transfer) -> frozenset[DataClass]:
    """What the recipient of `transfer` may see: the version recorded on the transfer,
    the one its last message was sent under."""
    ref = transfer.agreement
    return allowed_classes(repo.agreement(ref.id, ref.version) if ref else None)


def as_received(repo: Repository, transfer: Transfer, incident: Incident,
                agency: str) -> Incident:
    """The incident as `agency` may see it on this transfer: whole for the sender,
    redacted for the recipient. Every read path goes through here."""
    if agency == transfer.sender:
        return incident
    return redact(incident, allowed_on(repo, transfer))[0]


def preview(repo: Repository, sender: str, recipients: list[str],
            incident: Incident) -> list[SharingPreview]:
    """What each partner would receive, under the agreements in force now."""
    in_force = repo.agreements_in_force()
    out = []
    for i, recipient in enumerate(recipients):
        agency = repo.agency(recipient)
        if agency is None:
            raise Invalid.field(f"recipients[{i}]", f"unknown agency {recipient!r}")
        agreement, allowed = terms_for(in_force, sender, recipient)
        shared, withheld = redact(incident, allowed)
        out.append(SharingPreview(
            recipient=recipient, recipient_name=agency.name,
            agreement=agreement.ref if agreement else None,
            purpose=agreement.purpose if agreement else None,
            data_classes=sorted(allowed), withheld=withheld, incident=shared))
    return out


def ref_of(agreement: Agreement | None) -> AgreementRef | None:
    return agreement.ref if agreement else None
