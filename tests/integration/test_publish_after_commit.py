"""Publishing after commit is a step the use cases name, and translation stays out of the
write job.

The hub here is the real one from the composition root (SQLite or PostgreSQL store,
in-process delivery, codecs); a thin wrapper around the store port watches what runs inside a
write job, which is exactly the seam a second store adapter plugs into."""

from __future__ import annotations

import asyncio
import time
import uuid

import msgspec
import pytest

from bluelight.bootstrap import build
from bluelight.hub.domain.agency import Agency, MessageFormat, Service
from bluelight.hub.domain.commands import SubmitIncident
from bluelight.hub.domain.transfer import EntryKind
from bluelight.hub.services import directory
from bluelight.hub.services.hub import Hub
from bluelight.kernel.errors import StorageUnavailable
from bluelight.kernel.settings import Settings
from samples import incident as incident_dict

SENDER, RECIPIENT = "uk.police.sender", "uk.fire.recipient"


@pytest.fixture(params=["sqlite", "postgresql"])
async def runtime(request, tmp_path):
    store = request.getfixturevalue("pg_database") if request.param == "postgresql" else None
    runtime = build(Settings(data_dir=str(tmp_path), store=store))
    runtime.store.start()
    for agency_id, service in ((SENDER, Service.POLICE), (RECIPIENT, Service.FIRE)):
        _, job = directory.register(Agency(id=agency_id, name=agency_id, service=service,
                                           phone="01234 567890"), 0.0, "test")
        await runtime.store.write(job)
    yield runtime
    await runtime.store.stop()


def _append(agency: str, incident_id: str = "inc_1"):
    def job(repo):
        return repo.append(agency, EntryKind.INCIDENT_NEW, incident_id, None, b"{}",
                           time.time())
    return job


def _submission(reference: str = "P-1") -> SubmitIncident:
    body = {"message_id": str(uuid.uuid4()), "recipients": [RECIPIENT],
            "incident": incident_dict(reference)}
    return msgspec.convert(body, SubmitIncident)


async def test_a_job_that_appends_entries_must_name_where_they_go(runtime):
    """An entry stored with no publish step would be a silent hole in a live stream."""
    with pytest.raises(RuntimeError, match="no publish step"):
        await runtime.store.write(_append(RECIPIENT))
    assert await runtime.store.read(lambda repo: repo.entries(RECIPIENT, 0, 10)) == []
    # Named, the same job is stored and published.
    published = []
    entry = await runtime.store.write(_append(RECIPIENT), publish=published.extend)
    assert [e.seq for e in published] == [entry.seq] == [1]


async def test_entries_are_published_even_when_the_caller_hung_up(runtime):
    """The store calls the publish step after the commit whether or not the caller still
    waits: a client that disconnects mid-request must not leave its stored incident
    unpushed to the recipient's live session."""
    published = []
    loop = asyncio.get_running_loop()
    caller: asyncio.Task | None = None

    def job(repo):
        # The caller goes away while the commit is under way (the next loop turn).
        loop.call_soon_threadsafe(caller.cancel)  # the PostgreSQL store runs jobs on a thread
        return _append(RECIPIENT)(repo)

    async def call():
        return await runtime.store.write(job, publish=published.extend)

    caller = asyncio.create_task(call())
    with pytest.raises(asyncio.CancelledError):
        await caller
    for _ in range(100):
        if published:
            break
        await asyncio.sleep(0.01)
    stored = await runtime.store.read(lambda repo: repo.entries(RECIPIENT, 0, 10))
    assert [e.seq for e in published] == [e.seq for e in stored] == [1]


async def test_submitting_publishes_the_new_entry_to_the_recipients_session(runtime):
    live = runtime.delivery.subscribe(RECIPIENT)
    receipt, created = await runtime.hub.submit_incident(SENDER, _submission())
    assert created
    batch = await asyncio.wait_for(live.next_batch(), 5)
    assert [(e.kind, e.transfer_id) for e in batch] == [
        (EntryKind.INCIDENT_NEW, receipt.transfers[0].transfer_id)]


class WatchedStore:
    """The store port, delegating to the real store, noting when a write job runs.
    `before_write[n]()` runs before the n-th write is queued (to change the world between
    the hub's reads and its write)."""

    def __init__(self, store) -> None:
        self.store, self.inside, self.writes = store, False, 0
        self.before_write: dict[int, object] = {}

    async def read(self, job):
        return await self.store.read(job)

    def write(self, job, **kwargs):
        self.writes += 1
        if (hook := self.before_write.get(self.writes)) is not None:
            hook()

        def watched(repo):
            self.inside = True
            try:
                return job(repo)
            finally:
                self.inside = False

        return self.store.write(watched, **kwargs)


class WatchedTranslator:
    def __init__(self, translator, store: WatchedStore) -> None:
        self.translator, self.store = translator, store
        self.encoded_inside = self.encoded = 0

    def decode(self, format_, data):
        return self.translator.decode(format_, data)

    def encode(self, format_, native):
        self.encoded += 1
        self.encoded_inside += self.store.inside
        return self.translator.encode(format_, native)


def _watched_hub(runtime) -> tuple[Hub, WatchedStore, WatchedTranslator]:
    store = WatchedStore(runtime.store)
    translator = WatchedTranslator(runtime.hub.translator, store)
    hub = Hub(store, runtime.hub.gazetteer, runtime.hub.geodesy, runtime.hub.policy,
              translator=translator, delivery=runtime.delivery)
    return hub, store, translator


async def _settled(hub: Hub) -> None:
    """Wait for a directory snapshot the hub scheduled to be read."""
    if hub._refreshing is not None:
        await hub._refreshing


async def test_translation_losses_are_worked_out_outside_the_write_job(runtime):
    await runtime.store.write(directory.change(RECIPIENT, format=MessageFormat.CAP))
    hub, store, translator = _watched_hub(runtime)
    await hub.refresh_terms()  # as the server does when it starts
    receipt, _ = await hub.submit_incident(SENDER, _submission())
    transfer = await hub.transfer(SENDER, receipt.transfers[0].transfer_id)
    assert translator.encoded >= 1 and translator.encoded_inside == 0
    assert transfer.losses  # CAP cannot carry all of a bluelight incident


async def test_losses_follow_a_format_changed_between_reading_and_writing(runtime):
    """The losses are worked out from a snapshot. If the recipient's format changes
    before the write, the write job works that recipient's out again: the transfer
    never records the losses of a format it is not sent in."""
    hub, store, translator = _watched_hub(runtime)
    await hub.refresh_terms()  # the snapshot says: native format

    def switch_to_cap():  # queued just before the submission's own job
        runtime.store.write(directory.change(RECIPIENT, format=MessageFormat.CAP))

    store.before_write[1] = switch_to_cap
    receipt, created = await hub.submit_incident(SENDER, _submission())
    assert created and translator.encoded_inside == 1  # the rare path: once, for CAP
    # What the recipient may see of it is what was encoded for it.
    transfer = await hub.transfer(RECIPIENT, receipt.transfers[0].transfer_id)
    expected = sorted(translator.translator.encode("cap", _native_of(transfer)).losses)
    assert transfer.losses == expected and transfer.losses
    transfers = await runtime.store.read(lambda repo: repo.transfers_for(SENDER, None, None, 10))
    assert len(transfers) == 1
    # The job's own work scheduled a fresh snapshot: the next message's losses are
    # worked out before its job again.
    await _settled(hub)
    await hub.submit_incident(SENDER, _submission("P-2"))
    assert translator.encoded_inside == 1 and translator.encoded == 2


async def test_without_a_snapshot_the_job_works_the_losses_out_and_one_is_read(runtime):
    await runtime.store.write(directory.change(RECIPIENT, format=MessageFormat.CAP))
    hub, store, translator = _watched_hub(runtime)
    receipt, _ = await hub.submit_incident(SENDER, _submission())
    assert translator.encoded_inside == 1
    transfer = await hub.transfer(RECIPIENT, receipt.transfers[0].transfer_id)
    assert transfer.losses == sorted(
        translator.translator.encode("cap", _native_of(transfer)).losses)
    await _settled(hub)
    assert hub._terms is not None and hub._terms[0][RECIPIENT].format is MessageFormat.CAP


async def test_an_update_sent_right_after_its_incident_is_stored_after_it(runtime):
    """No await comes between a submission's arrival and its job being queued, so a
    sender's messages are stored in the order they were sent."""
    from bluelight.hub.domain.commands import SubmitUpdate

    await runtime.hub.refresh_terms()
    for n in range(20):
        reference = f"ORD-{n}"
        update = msgspec.convert({"message_id": str(uuid.uuid4()),
                                  "update": {"text": "more"}}, SubmitUpdate)
        incident = asyncio.ensure_future(runtime.hub.submit_incident(SENDER,
                                                                     _submission(reference)))
        follow = asyncio.ensure_future(runtime.hub.submit_update(SENDER, reference, update))
        (_, created), (_, updated) = await asyncio.gather(incident, follow)
        assert created and updated


def _native_of(transfer):
    from bluelight.hub.domain.translation import Native

    return Native(kind="incident", sender=transfer.sender, recipients=[transfer.recipient],
                  reference=transfer.reference, incident=transfer.incident)


async def test_a_job_whose_statement_fails_is_undone_alone_in_its_batch(runtime):
    """Its siblings in the same commit are stored; it stores nothing (on PostgreSQL the
    batch first runs without a savepoint per job, so the fault surfaces after the job's
    other statements went, and the batch is run again job by job)."""
    published = []

    def bad(repo):
        repo.append(RECIPIENT, EntryKind.INCIDENT_NEW, "inc_bad", None, b"{}", time.time())
        # The same agency again: the primary key refuses it.
        repo.add_agency(Agency(id=SENDER, name="again", service=Service.POLICE,
                               phone="01234 567890"), 0.0)
        return "not reached"

    # Queued together, so they share a batch.
    calls = [runtime.store.write(_append(RECIPIENT, "inc_a"), publish=published.extend),
             runtime.store.write(bad, publish=published.extend),
             runtime.store.write(_append(RECIPIENT, "inc_b"), publish=published.extend)]
    first, failed, last = await asyncio.gather(*calls, return_exceptions=True)
    assert isinstance(failed, Exception) and not isinstance(failed, StorageUnavailable)
    stored = await runtime.store.read(lambda repo: repo.entries(RECIPIENT, 0, 10))
    assert [e.incident_id for e in stored] == ["inc_a", "inc_b"]
    assert [e.seq for e in stored] == [first.seq, last.seq] == [1, 2]
    assert [e.incident_id for e in published] == ["inc_a", "inc_b"]


async def test_a_job_that_fails_after_writing_or_before_is_undone_alone(runtime):
    """A plain exception, not a database fault: one job raises after appending, one
    before changing anything. Their siblings in the batch are stored, in order, and
    each failed job answers with its own error."""
    published = []

    def after(repo):
        repo.append(RECIPIENT, EntryKind.INCIDENT_NEW, "inc_after", None, b"{}", time.time())
        raise ValueError("after writing")

    def before(repo):
        repo.agency(RECIPIENT)
        raise LookupError("before writing")

    calls = [runtime.store.write(job, publish=published.extend)
             for job in (_append(RECIPIENT, "inc_a"), after, _append(RECIPIENT, "inc_b"), before, _append(RECIPIENT, "inc_c"))]
    a, failed_after, b, failed_before, c = await asyncio.gather(*calls,
                                                                return_exceptions=True)
    assert isinstance(failed_after, ValueError) and isinstance(failed_before, LookupError)
    stored = await runtime.store.read(lambda repo: repo.entries(RECIPIENT, 0, 10))
    assert [e.incident_id for e in stored] == ["inc_a", "inc_b", "inc_c"]
    assert [e.seq for e in stored] == [a.seq, b.seq, c.seq] == [1, 2, 3]
    assert [e.incident_id for e in published] == ["inc_a", "inc_b", "inc_c"]


async def test_the_writer_sees_an_agency_changed_by_another_connection(runtime):
    """The writer caches agencies; a change committed elsewhere (a command, another hub
    node) must not leave it acting on the old ones."""
    from bluelight.bootstrap import hub_transaction

    phone = lambda repo: repo.agency(RECIPIENT).phone  # noqa: E731
    assert await runtime.store.write(phone) == "01234 567890"  # cached now
    target = runtime.settings.store or runtime.settings.db
    hub_transaction(target)(directory.change(RECIPIENT, phone="029 2000 0000"))
    assert await runtime.store.write(phone) == "029 2000 0000"


async def test_the_writer_sees_a_signing_key_added_or_revoked_by_another_connection(runtime):
    """Whether a sender must sign is cached by the writer too: a key registered or
    revoked elsewhere (`bluelight agency key add` beside the hub, another hub node) must
    be seen at once, or an unsigned message would get in."""
    from bluelight.bootstrap import hub_transaction
    from bluelight.hub.domain.signature import Algorithm, SigningKey
    from bluelight.hub.services import signatures

    signs = lambda repo: repo.has_active_signing_key(SENDER)  # noqa: E731
    elsewhere = hub_transaction(runtime.settings.store or runtime.settings.db)
    assert await runtime.store.write(signs) is False  # cached now
    key = SigningKey(key_id="k1", agency=SENDER, algorithm=Algorithm.ES256,
                     public_key="-----BEGIN PUBLIC KEY-----", created_at=time.time())
    elsewhere(signatures.register(key))
    assert await runtime.store.write(signs) is True
    elsewhere(signatures.revoke("k1", time.time()))
    assert await runtime.store.write(signs) is False
