"""Use cases of an incident's update history: read it as an agency may see it, a page
at a time. (Recording an update is part of sending it: services.submit.)

The history is what lets an incident be updated for days without growing: the incident
as it stands holds only the current values, each update's text is a record of its own,
and every answer that shows records shows a bounded number of them."""

from __future__ import annotations

from bluelight.hub.domain.incident import UpdateRecord
from bluelight.hub.domain.sharing import redact_records
from bluelight.hub.domain.transfer import Transfer
from bluelight.hub.services import sharing
from bluelight.hub.services.ports import Repository
from bluelight.hub.services.views import UpdatePage, UpdateSummary

LATEST = 5  # records in the transfer view
PAGE = 100  # records in a page, unless asked otherwise
MAX_PAGE = 500  # 500 updates of 10,000 characters: about 5 MB at the very most
EXPORT = 200  # records in an export, before its cursor


def href(transfer_id: str) -> str:
    return f"/v1/transfers/{transfer_id}/updates"


def _as_seen(repo: Repository, transfer: Transfer, agency: str,
             records: list[UpdateRecord]) -> tuple[list[UpdateRecord], list[str]]:
    """Whole for the sender; for the recipient, what the agreement on the transfer
    allows (every read path of incident data goes through the same rule)."""
    if agency == transfer.sender:
        return records, []
    return redact_records(records, sharing.allowed_on(repo, transfer))


def summary(repo: Repository, transfer: Transfer, agency: str) -> UpdateSummary | None:
    count = repo.update_count(transfer.incident_id)
    if not count:
        return None
    latest, withheld = _as_seen(repo, transfer, agency,
                                repo.latest_updates(transfer.incident_id, LATEST))
    return UpdateSummary(count=count, latest=latest, href=href(transfer.transfer_id),
                         withheld=withheld)


def page(repo: Repository, transfer: Transfer, agency: str, after: int,
         limit: int) -> UpdatePage:
    count = repo.update_count(transfer.incident_id)
    records, withheld = _as_seen(repo, transfer, agency,
                                 repo.updates(transfer.incident_id, after, limit))
    last = records[-1].version if records else after
    return UpdatePage(transfer_id=transfer.transfer_id, count=count, updates=records,
                      next_after=last if last < count else None, withheld=withheld)
