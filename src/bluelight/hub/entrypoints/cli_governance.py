"""`bluelight agreement`, `bluelight audit` and `bluelight retention`: the hub operator's
information-governance commands. Every change is audited under the OS account."""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated

import msgspec
import typer
from rich.table import Table

from bluelight.hub.domain.sharing import DATA_CLASS_LABELS, AgreementId, AgreementTerms, DataClass
from bluelight.hub.entrypoints.cli_root import administer
from bluelight.kernel.cli import ConfigOpt, cli_actor, console, err, refuse, settings

agreement_app = typer.Typer(help="Data-sharing agreements between agencies.",
                            no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
retention_app = typer.Typer(help="Purging personal data whose retention has ended.",
                            no_args_is_help=True)
_CLASSES = ", ".join(c.value for c in DataClass)


def _terms(parties: str, purpose: str, classes: str, lawful_basis: str, review: str,
           retention_days: int) -> AgreementTerms:
    raw = {"parties": [p.strip() for p in parties.split(",") if p.strip()],
           "purpose": purpose,
           "data_classes": [c.strip() for c in classes.split(",") if c.strip()],
           "lawful_basis": lawful_basis, "review_date": review,
           "retention_days": retention_days}
    try:
        return msgspec.convert(raw, AgreementTerms)
    except msgspec.ValidationError as exc:
        refuse(exc)


Parties = Annotated[str, typer.Option(help="Agency ids, comma-separated (two or more)")]
Purpose = Annotated[str, typer.Option(help="What the sharing is for")]
Classes = Annotated[str, typer.Option(
    "--classes", help=f"Data classes allowed, comma-separated: {_CLASSES}")]
Basis = Annotated[str, typer.Option(help="Lawful basis, e.g. UK GDPR Art. 6(1)(e)")]
Review = Annotated[str, typer.Option(help="Review date, YYYY-MM-DD")]
Retention = Annotated[int, typer.Option(help="Days personal data in transfers is kept")]


@agreement_app.command("add")
def agreement_add(
    agreement_id: Annotated[str, typer.Argument(metavar="ID", help="e.g. isa-south-wales")],
    parties: Parties, purpose: Purpose, lawful_basis: Basis, review_date: Review,
    retention_days: Retention, classes: Classes = "", config: ConfigOpt = None,
) -> None:
    """State a new agreement (version 1), or amend one (its next version)."""
    terms = _terms(parties, purpose, classes, lawful_basis, review_date, retention_days)
    try:
        msgspec.convert(agreement_id, AgreementId)
    except msgspec.ValidationError:
        err.print("error: id: use lower-case letters, digits and hyphens (3-64)")
        raise typer.Exit(2) from None
    agreement = administer(settings(config), lambda admin: admin.state_agreement(
        agreement_id, terms, cli_actor()))
    console.print(f"{agreement.id} version {agreement.version}: "
                  f"{', '.join(agreement.data_classes) or 'operational minimum only'}")


@agreement_app.command("withdraw")
def agreement_withdraw(agreement_id: Annotated[str, typer.Argument(metavar="ID")],
                       config: ConfigOpt = None) -> None:
    """Withdraw an agreement: from now on only the operational minimum flows."""
    administer(settings(config),
               lambda admin: admin.withdraw_agreement(agreement_id, cli_actor()))
    console.print(f"withdrew {agreement_id}")


@agreement_app.command("list")
def agreement_list(
    agency: Annotated[str | None, typer.Option(help="Only this agency's")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    config: ConfigOpt = None,
) -> None:
    """Every version of every agreement (newest first)."""
    found = administer(settings(config), lambda admin: admin.agreements())
    if agency:
        found = [a for a in found if agency in a.parties]
    if as_json:
        print(msgspec.json.encode(found).decode())
        return
    table = Table("id", "v", "parties", "classes", "review", "retention", "status")
    for a in found:
        table.add_row(a.id, str(a.version), "\n".join(a.parties),
                      "\n".join(a.data_classes) or "(minimum)", str(a.review_date),
                      f"{a.retention_days} d", "withdrawn" if a.withdrawn_at else "in force")
    console.print(table)


@agreement_app.command("classes")
def agreement_classes() -> None:
    """The classes of data an agreement can allow."""
    for cls, label in DATA_CLASS_LABELS.items():
        console.print(f"{cls.value:16} {label}")
    console.print("(always shared) location, incident type, priority, hazards, resources "
                  "requested")


# audit ---------------------------------------------------------------------------------
@audit_app.command("verify")
def audit_verify(
    head: Annotated[str | None, typer.Option(
        help="A head noted earlier as SEQ:HASH (from `bluelight audit head`): detects "
             "records removed from the end")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    config: ConfigOpt = None,
) -> None:
    """Check every record's hash and link. Exit 1 if anything was edited or deleted."""
    witness = None
    if head:
        seq, _, hash_ = head.partition(":")
        if not seq.isdigit() or len(hash_) != 64:
            err.print("error: head: give SEQ:HASH as printed by `bluelight audit head`")
            raise typer.Exit(2)
        witness = (int(seq), hash_)
    result = administer(settings(config), lambda admin: admin.verify_audit(witness))
    if as_json:
        print(msgspec.json.encode(result).decode())
    elif result.ok:
        console.print(f"audit log intact: {result.records} records, head "
                      f"{result.head_seq}:{result.head_hash}")
    else:
        err.print(f"AUDIT LOG TAMPERED: {len(result.faults)} fault(s) in {result.records} "
                  "records")
        for fault in result.faults:
            err.print(f"  record {fault.seq}: {fault.problem}")
    if not result.ok:
        raise typer.Exit(1)


@audit_app.command("head")
def audit_head(config: ConfigOpt = None) -> None:
    """Print the newest record as SEQ:HASH. Keep it somewhere else (a ticket, another
    system): `audit verify --head` then proves nothing was removed up to it."""
    head = administer(settings(config), lambda admin: admin.audit_head())
    print(f"{head[0]}:{head[1]}" if head else "0:" + "0" * 64)


@audit_app.command("export")
def audit_export(
    incident: Annotated[str | None, typer.Option(help="Only records about this incident")] = None,
    agency: Annotated[str | None, typer.Option(help="Only records by or about this agency")
                      ] = None,
    out: Annotated[Path | None, typer.Option(help="Write here (default: stdout)")] = None,
    config: ConfigOpt = None,
) -> None:
    """Export records as JSON Lines, with their hashes. The export is itself audited."""
    if not incident and not agency:
        err.print("error: give --incident or --agency")
        raise typer.Exit(2)
    hub = settings(config)
    records = administer(hub, lambda admin: admin.audit_records(incident_id=incident,
                                                                agency=agency))
    encode = msgspec.json.Encoder().encode
    target = out.open("wb") if out else sys.stdout.buffer
    try:
        for record in records:
            target.write(encode(record) + b"\n")
    finally:
        if out:
            target.close()
    # Recorded once the records are written out: an export that failed gave nothing out.
    administer(hub, lambda admin: admin.audit_exported(
        cli_actor(), agency=agency, incident_id=incident, detail={"count": len(records)}))
    if out:
        console.print(f"{len(records)} records written to {out}")


# retention -----------------------------------------------------------------------------
@retention_app.command("run")
def retention_run(
    now: Annotated[str | None, typer.Option(
        help="Pretend it is this date (YYYY-MM-DD), to rehearse a purge")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    config: ConfigOpt = None,
) -> None:
    """Purge personal data from incidents whose retention has ended. Safe to repeat."""
    hub = settings(config)
    at = time.time()
    if now:
        try:
            at = time.mktime(date.fromisoformat(now).timetuple())
        except ValueError:
            err.print("error: now: give a date as YYYY-MM-DD")
            raise typer.Exit(2) from None
    purged = administer(hub, lambda admin: admin.purge(at, hub.default_retention_days,
                                                       cli_actor()))
    if as_json:
        print(json.dumps({"purged": len(purged),
                          "incidents": [msgspec.to_builtins(p) for p in purged]}))
    else:
        console.print(f"purged personal data from {len(purged)} incident(s)")
