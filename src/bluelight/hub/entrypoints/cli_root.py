"""What the hub's command groups need from the composition root, and how they reach it.

A command never builds an adapter: it asks the composition root (`root()`), which
`bluelight.cli` installs before any command runs. That root is `bluelight.bootstrap`,
the one that assembles the server too, so a command and the server open the database,
read keys and run codecs the same way. The hub's modules cannot import it themselves:
it imports every adapter, which is what they must not reach but through it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

import typer

from bluelight.hub.domain.translation import Native, Translation
from bluelight.hub.services.admin import Admin
from bluelight.hub.services.ports import GridPoint
from bluelight.kernel.cli import err
from bluelight.kernel.errors import DomainError
from bluelight.kernel.settings import Settings

T = TypeVar("T")


class Codecs(Protocol):
    """The standards the hub translates (`bluelight convert`, `validate`). Each method
    raises `CodecError` (hub.domain.translation) naming what is wrong."""

    def detect(self, data: bytes) -> str: ...
    def decode(self, format_: str | None, data: bytes) -> Translation: ...
    def encode(self, format_: str, native: Native) -> Translation: ...


class KeyFiles(Protocol):
    """A signing key as `bluelight agency key` registers it."""

    @property
    def key_id(self) -> str: ...
    @property
    def algorithm(self) -> str: ...
    @property
    def public_pem(self) -> str: ...
    @property
    def private_pem(self) -> bytes: ...  # empty for a key the agency made itself


class KeyPairs(Protocol):
    def generate(self, algorithm: str) -> KeyFiles: ...

    def read_public(self, pem: bytes) -> KeyFiles:
        """Raises ValueError saying what is wrong with the key."""
        ...


class DevelopmentPki(Protocol):
    """A development CA, and its revoked-serials file (`bluelight pki`)."""

    CA_CERT: str
    CA_KEY: str
    REVOKED_FILE: str

    def init_ca(self, directory: Path, name: str, days: int) -> tuple[Path, Path]: ...
    def issue(self, directory: Path, ca_cert: Path, ca_key: Path, common_name: str, *,
              kind: Literal["server", "client"], dns_names: Any, days: int
              ) -> tuple[Path, Path]: ...

    def serial_of(self, cert_or_serial: str) -> int:
        """Raises ValueError for neither a certificate file nor a hex serial."""
        ...

    def revoke(self, directory: Path, cert_or_serial: int) -> int: ...


class ImportOutcome(Protocol):
    @property
    def rows(self) -> int: ...
    @property
    def rejected(self) -> int: ...
    @property
    def errors(self) -> list[str]: ...
    @property
    def seconds(self) -> float: ...


class GazetteerFiles(Protocol):
    """The UPRN gazetteer's files (`bluelight gazetteer`)."""

    @property
    def import_error(self) -> type[Exception]:
        """What `import_csv` raises for a file it cannot import at all."""
        ...


    def import_csv(self, csv: Path, db: Path,
                   on_progress: Callable[[int, int], None]) -> ImportOutcome: ...
    def lookup(self, db: Path, uprn: int) -> GridPoint | None: ...
    def generate(self, csv: Path, rows: int, seed: int) -> None: ...


class Composition(Protocol):
    """The composition root, as the hub's commands use it."""

    def admin(self, settings: Settings) -> Admin:
        """The hub operator's use cases on the hub's database, migrated first."""
        ...

    def codecs(self) -> Codecs: ...
    def key_pairs(self) -> KeyPairs: ...
    def pki(self) -> DevelopmentPki: ...
    def gazetteer_files(self) -> GazetteerFiles: ...


_provider: Callable[[], Composition] | None = None


def install(provider: Callable[[], Composition]) -> None:
    """Called by `bluelight.cli` with what returns the composition root."""
    global _provider
    _provider = provider


def root() -> Composition:
    if _provider is None:
        raise RuntimeError("no composition root: run the hub's commands through bluelight.cli")
    return _provider()


def administer(settings: Settings, use: Callable[[Admin], Coroutine[Any, Any, T]]) -> T:
    """One of the hub operator's use cases against the hub's database (migrated first),
    as the hub would run it. A rule broken (unknown id, conflict) is one line on stderr
    and exit 1."""
    admin = root().admin(settings)
    try:
        return asyncio.run(use(admin))
    except DomainError as exc:
        err.print(f"error: {exc.detail}")
        raise typer.Exit(1) from None
