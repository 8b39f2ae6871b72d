"""The hub operator's use cases: the agency directory and its credentials, console
operators, signing keys, data-sharing agreements, the audit log, the retention purge and
the hub-wide figures. The administration API (`entrypoints.admin_api`) and the command
line (`bluelight agency ...`, `bluelight audit ...`) both call these, so each
operation means the same whichever way it is done.

Every change is audited under `by`, the administrator's name as the entry point knows
it (an operator's console session, or the OS account at the command line). Nothing
here returns incident content: an administrator manages the hub, not the agencies'
traffic."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bluelight.hub.domain.agency import Agency
from bluelight.hub.domain.audit import AuditRecord, Verification
from bluelight.hub.domain.operator import Operator
from bluelight.hub.domain.sharing import Agreement, AgreementTerms
from bluelight.hub.domain.signature import SigningKey
from bluelight.hub.services import (
    audit,
    directory,
    operators,
    report,
    retention,
    sharing,
    signatures,
)
from bluelight.hub.services.ports import Repository, Store
from bluelight.kernel.errors import Conflict
from bluelight.kernel.settings import Policy
from bluelight.wire.stats import Stats

Credential = tuple[str, float, float | None]  # key id, created at, revoked at


class Admin:
    def __init__(self, store: Store, policy: Policy | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.policy = policy or Policy()
        self.clock = clock

    # agencies and their credentials --------------------------------------------------
    async def agencies(self) -> list[Agency]:
        return await self.store.read(lambda repo: repo.agencies())

    async def register_agency(self, agency: Agency, by: str) -> str:
        """Add the agency with its first credential; returns the token (shown once)."""
        token, job = directory.register(agency, self.clock(), by)
        await self.store.write(job)
        return token

    async def change_agency(self, agency_id: str, by: str, **changes: Any) -> Agency:
        """Change an agency's details; a change given as None is no change."""
        return await self.store.write(directory.change(agency_id, by, **changes))

    async def subscribe(self, subscriber: str, source: str, by: str) -> None:
        """`subscriber` receives the public alerts `source` sends to nobody in particular."""
        await self.store.write(directory.subscribe(subscriber, source, by))

    async def issue_credential(self, agency_id: str, by: str) -> str:
        """Another credential (rotation); returns its token (shown once)."""
        token, job = directory.new_credential(agency_id, self.clock(), by)
        await self.store.write(job)
        return token

    async def credentials(self, agency_id: str) -> list[Credential]:
        return await self.store.read(lambda repo: repo.credentials_of(agency_id))

    async def revoke_credential(self, key_id: str, by: str) -> None:
        await self.store.write(directory.revoke(key_id, self.clock(), by))

    # console operators -----------------------------------------------------------------
    async def add_operator(self, operator: Operator, password_hash: str, by: str) -> None:
        """`password_hash` from `operators.hash_password`, which refuses a short one
        before anything is stored."""
        await self.store.write(operators.add(operator, password_hash, self.clock(), by))

    async def operators(self) -> list[Operator]:
        return await self.store.read(lambda repo: repo.operators())

    # message signing keys --------------------------------------------------------------
    async def register_key(self, key: SigningKey, by: str) -> None:
        await self.store.write(signatures.register(key, by))

    async def signing_keys(self, agency_id: str) -> list[SigningKey]:
        return await self.store.read(signatures.keys_of(agency_id))

    async def revoke_key(self, key_id: str, by: str) -> SigningKey:
        return await self.store.write(signatures.revoke(key_id, self.clock(), by))

    # data-sharing agreements -----------------------------------------------------------
    async def agreements(self) -> list[Agreement]:
        """Every version of every agreement, newest first."""
        return await self.store.read(lambda repo: repo.agreement_versions())

    async def add_agreement(self, agreement_id: str, terms: AgreementTerms,
                            by: str) -> Agreement:
        """Version 1 of a new agreement; an id in use is a conflict."""
        at = self.clock()

        def job(repo: Repository) -> Agreement:
            if repo.agreement_versions(agreement_id):
                raise Conflict(f"agreement {agreement_id!r} exists; add a version to amend it")
            return sharing.add(agreement_id, terms, by, at)(repo)

        return await self.store.write(job)

    async def state_agreement(self, agreement_id: str, terms: AgreementTerms,
                              by: str) -> Agreement:
        """A new agreement (version 1), or the next version of one that exists."""
        return await self.store.write(sharing.add(agreement_id, terms, by, self.clock()))

    async def amend_agreement(self, agreement_id: str, terms: AgreementTerms,
                              by: str) -> Agreement:
        """The next version of an agreement that exists and is in force."""
        return await self.store.write(sharing.amend(agreement_id, terms, by, self.clock()))

    async def withdraw_agreement(self, agreement_id: str, by: str) -> None:
        await self.store.write(sharing.withdraw(agreement_id, by, self.clock()))

    # the audit log ---------------------------------------------------------------------
    async def audit_records(self, *, incident_id: str | None = None,
                            agency: str | None = None, after: int = 0,
                            limit: int | None = None) -> list[AuditRecord]:
        """Records by or about an agency or an incident, after a seq, oldest first. Give
        them out only with `audit_exported` after: reading the log is audited too."""

        def job(repo: Repository) -> list[AuditRecord]:
            out = []
            for record in repo.audit_records(incident_id=incident_id, agency=agency,
                                             after=after):
                out.append(record)
                if limit is not None and len(out) >= limit:
                    break
            return out

        return await self.store.read(job)

    async def audit_exported(self, by: str, *, agency: str | None = None,
                             incident_id: str | None = None,
                             detail: dict[str, Any] | None = None) -> None:
        """Record that records of the log were given out, and which."""
        at = self.clock()
        await self.store.write(lambda repo: audit.record(
            repo, at, by, "audit.exported", agency=agency, incident_id=incident_id,
            detail=detail or {}))

    async def verify_audit(self, witness: tuple[int, str] | None = None) -> Verification:
        """Every record's hash and link; `witness` (a head noted earlier) also detects
        records removed from the end."""
        return await self.store.read(lambda repo: audit.check(repo, witness))

    async def audit_head(self) -> tuple[int, str] | None:
        return await self.store.read(lambda repo: repo.audit_head())

    # retention and figures ---------------------------------------------------------------
    async def purge(self, at: float, default_days: int, by: str) -> list[retention.Purged]:
        """Purge personal data whose retention had ended at `at`, a batch a transaction,
        until nothing more is due."""
        purged: list[retention.Purged] = []
        while True:
            batch, more = await self.store.write(retention.run(at, default_days, by))
            purged += batch
            if not more:
                return purged

    async def stats(self) -> Stats:
        """Every pair's transfer performance: the hub operator's view."""
        transfers = await self.store.read(lambda repo: repo.transfers_since(None))
        return report.stats(transfers, self.policy.phone_baseline_s)
