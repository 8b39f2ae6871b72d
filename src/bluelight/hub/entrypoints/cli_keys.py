"""`bluelight agency key ...`: the keys agencies sign their messages with.

Several keys of one agency may be active at once, so a key is rotated without downtime:
generate (or add) the new one, move the sender's system to it, revoke the old one. A
revoked key verifies nothing from the next message on."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bluelight.hub.domain.signature import Algorithm, SigningKey
from bluelight.hub.entrypoints.cli_root import KeyFiles, administer, root
from bluelight.kernel.cli import ConfigOpt, cli_actor, console, settings

app = typer.Typer(help="Message signing keys (JWS) of an agency.", no_args_is_help=True)
# Soft-wrapped, unlike the shared one: a path or key id stays on one line, to copy.
err = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)

AgencyArg = Annotated[str, typer.Argument(metavar="AGENCY", help="The agency id")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON")]


def _refuse(field: str, fault: str) -> typer.Exit:
    err.print(f"error: {field}: {fault}")
    return typer.Exit(2)


def _register(config: Path | None, agency_id: str, made: KeyFiles) -> SigningKey:
    key = SigningKey(key_id=made.key_id, agency=agency_id,
                     algorithm=Algorithm(made.algorithm), public_key=made.public_pem,
                     created_at=time.time())
    administer(settings(config), lambda admin: admin.register_key(key, cli_actor()))
    return key


def _write_private(path: Path, data: bytes) -> None:
    """Created with mode 0600 from the start: never readable by others, not even briefly."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


@app.command("generate")
def generate(
    agency_id: AgencyArg,
    out: Annotated[Path, typer.Option("--out", help="Directory for the key files")],
    algorithm: Annotated[Algorithm, typer.Option(help="EdDSA (Ed25519) or ES256 (P-256)")
                         ] = Algorithm.EDDSA,
    as_json: JsonOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Create a key pair, register its public key and write the private key (PEM, mode
    0600) for the agency's system; prints the key id (kid)."""
    made = root().key_pairs().generate(algorithm.value)
    kid = made.key_id
    try:
        out.mkdir(parents=True, exist_ok=True)
        private_path, public_path = out / f"{kid}.key.pem", out / f"{kid}.pub.pem"
        _write_private(private_path, made.private_pem)
    except OSError as exc:
        raise _refuse("out", f"cannot write there ({exc.strerror})") from None
    try:
        key = _register(config, agency_id, made)
    except BaseException:
        private_path.unlink(missing_ok=True)  # a key that is not registered is no use
        raise
    public_path.write_text(key.public_key)
    if as_json:
        print(json.dumps({"key_id": kid, "agency": agency_id, "algorithm": key.algorithm.value,
                          "private_key": str(private_path), "public_key": str(public_path)}))
        return
    err.print(f"private key: {private_path} (keep it secret; give it to {agency_id}'s system)")
    print(kid)


@app.command("add")
def add(
    agency_id: AgencyArg,
    public_key: Annotated[Path, typer.Option("--public-key", help="The public key (PEM)")],
    as_json: JsonOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Register a public key the agency made itself (its private key never leaves it);
    prints the key id (kid)."""
    try:
        public = root().key_pairs().read_public(public_key.read_bytes())
    except OSError as exc:
        raise _refuse("public-key", f"cannot read {public_key} ({exc.strerror})") from None
    except ValueError as exc:  # not a public key of an algorithm the hub verifies
        raise _refuse("public-key", str(exc)) from None
    key = _register(config, agency_id, public)
    if as_json:
        print(json.dumps({"key_id": key.key_id, "agency": agency_id,
                          "algorithm": key.algorithm.value}))
        return
    print(key.key_id)


@app.command("list")
def list_keys(agency_id: AgencyArg, as_json: JsonOpt = False, config: ConfigOpt = None) -> None:
    """An agency's signing keys, active and revoked."""
    keys = administer(settings(config), lambda admin: admin.signing_keys(agency_id))
    if as_json:
        print(json.dumps([{"key_id": k.key_id, "algorithm": k.algorithm.value,
                           "created_at": k.created_at, "revoked_at": k.revoked_at}
                          for k in keys]))
        return
    fmt = lambda t: time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)) if t else ""  # noqa: E731
    table = Table("algorithm", "created", "revoked")
    table.add_column("key id", no_wrap=True, min_width=43)  # a kid is 43 characters
    for k in keys:
        table.add_row(k.algorithm.value, fmt(k.created_at), fmt(k.revoked_at), k.key_id)
    console.print(table)


@app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(metavar="KEY_ID", help="The key id (kid)")],
    config: ConfigOpt = None,
) -> None:
    """Revoke a signing key at once: the next message signed with it is refused."""
    key = administer(settings(config), lambda admin: admin.revoke_key(key_id, cli_actor()))
    console.print(f"revoked {key.key_id} of {key.agency}")
