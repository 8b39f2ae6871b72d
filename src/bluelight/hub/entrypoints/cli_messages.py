"""`bluelight convert` and `bluelight validate`: the hub's codecs, on a file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from bluelight.hub.domain.translation import CodecError
from bluelight.hub.entrypoints.cli_root import root
from bluelight.kernel.cli import err


def _read_input(path: Path) -> bytes:
    try:
        return sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        err.print(f"error: cannot read {path}: {exc.strerror}")
        raise typer.Exit(2) from None


def _codec_failure(exc: CodecError) -> NoReturn:
    err.print(f"error: invalid {exc.detail}")
    for fault in exc.faults[:20]:
        err.print(f"  {fault.field}: {fault.fault}")
    raise typer.Exit(1)


def convert(
    file: Annotated[Path, typer.Argument(help="Input file, or - for standard input")],
    from_: Annotated[str | None, typer.Option("--from", help="Input format (default: detect)")] = None,
    to: Annotated[str, typer.Option("--to", help="Output format")] = "bluelight",
) -> None:
    """Translate a message between standards (bluelight, eido, edxl-de, cap, mait-xml,
    methane). Fields the output cannot carry are listed on standard error."""
    data = _read_input(file)
    codecs = root().codecs()
    try:
        source = from_ or codecs.detect(data)
        decoded = codecs.decode(source, data)
        encoded = codecs.encode(to, decoded.native)
    except CodecError as exc:
        _codec_failure(exc)
    sys.stdout.buffer.write(encoded.data)
    if not encoded.data.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")
    for side, losses in (("input", decoded.losses), ("output", encoded.losses)):
        if losses:
            err.print(f"not carried ({source if side == 'input' else to}): {', '.join(losses)}")


def validate(
    file: Annotated[Path, typer.Argument(help="Input file, or - for standard input")],
    format_: Annotated[str | None, typer.Option("--format", help="Format (default: detect)")] = None,
) -> None:
    """Check a message: detect its format, validate it, and say what it carries."""
    data = _read_input(file)
    codecs = root().codecs()
    try:
        name = format_ or codecs.detect(data)
        decoded = codecs.decode(name, data)
    except CodecError as exc:
        _codec_failure(exc)
    native = decoded.native
    what = native.reference or native.acknowledges or ""
    print(f"valid {name}: {native.kind} {what}".rstrip())
    if decoded.losses:
        print(f"not carried into bluelight: {', '.join(decoded.losses)}")
