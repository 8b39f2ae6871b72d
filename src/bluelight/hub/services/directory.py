"""The agency directory: register agencies, change their details, issue credentials."""

from __future__ import annotations

import time
from collections.abc import Callable

import msgspec

from bluelight.hub.domain.agency import Agency, check_agency_id
from bluelight.hub.services import audit, credentials
from bluelight.hub.services.ports import Repository
from bluelight.kernel.errors import Conflict, NotFound


def register(agency: Agency, at: float,
             by: str = "cli") -> tuple[str, Callable[[Repository], None]]:
    """A job that adds the agency and its first credential; the token is shown once.
    `by` is the administrator, for the audit log (as in every job here)."""
    check_agency_id(agency.id)
    token, store_credential = credentials.issue(agency.id, at)

    def job(repo: Repository) -> None:
        if repo.agency(agency.id) is not None:
            raise Conflict(f"agency {agency.id} already exists")
        repo.add_agency(agency, at)
        store_credential(repo)
        audit.record(repo, at, by, "agency.added", agency=agency.id,
                     detail={"service": agency.service.value, "format": agency.format.value,
                             "key_id": credentials.split(token)[0]})

    return token, job


def new_credential(agency_id: str, at: float,
                   by: str = "cli") -> tuple[str, Callable[[Repository], None]]:
    token, store_credential = credentials.issue(agency_id, at)

    def job(repo: Repository) -> None:
        if repo.agency(agency_id) is None:
            raise NotFound(f"no agency {agency_id}")
        store_credential(repo)
        audit.record(repo, at, by, "credential.issued", agency=agency_id,
                     detail={"key_id": credentials.split(token)[0]})

    return token, job


def revoke(key_id: str, at: float, by: str = "cli") -> Callable[[Repository], None]:
    """Revoke a credential: requests with it fail from now on, and open streams using it
    are closed within half a second."""

    def job(repo: Repository) -> None:
        owner = repo.credential(key_id)
        if not repo.revoke_credential(key_id, at):
            raise NotFound(f"no active credential with key id {key_id}")
        audit.record(repo, at, by, "credential.revoked", agency=owner[0] if owner else None,
                     detail={"key_id": key_id})

    return job


def subscribe(subscriber: str, source: str, by: str = "cli",
              at: float | None = None) -> Callable[[Repository], None]:
    """`subscriber` receives the alerts `source` publishes to nobody in particular."""

    def job(repo: Repository) -> None:
        for agency_id in (subscriber, source):
            if repo.agency(agency_id) is None:
                raise NotFound(f"no agency {agency_id}")
        repo.subscribe(subscriber, source)
        audit.record(repo, at or time.time(), by, "agency.subscribed", agency=subscriber,
                     counterparty=source)

    return job


def change(agency_id: str, by: str = "cli", at: float | None = None,
           **changes) -> Callable[[Repository], Agency]:
    def job(repo: Repository) -> Agency:
        current = repo.agency(agency_id)
        if current is None:
            raise NotFound(f"no agency {agency_id}")
        given = {k: v for k, v in changes.items() if v is not None}
        updated = msgspec.structs.replace(current, **given)
        repo.set_agency(updated)
        audit.record(repo, at or time.time(), by, "agency.changed", agency=agency_id,
                     detail=msgspec.to_builtins(given))
        return updated

    return job
