"""Hub settings: defaults, then a TOML file, then BLUELIGHT_* environment variables; and
the policy the hub's use cases apply, derived from them (configuration, so it lives here
rather than in the hub's services, which import it)."""

from __future__ import annotations

import os
import re
import socket
import tomllib
from pathlib import Path
from typing import Annotated

import msgspec


class Policy(msgspec.Struct, kw_only=True, frozen=True):
    """The hub-wide rules a hub operator can set (see `Settings.policy`)."""

    ack_deadline_s: float = 30.0  # recipient system must acknowledge within this
    decision_deadline_s: float = 120.0  # recipient operator must decide within this
    reject_unknown_uprn: bool = False  # otherwise flag the transfer and carry on
    phone_baseline_s: float = 240.0  # a phoned transfer (Audit Wales 2022, para 50)
    session_idle_s: float = 30 * 60.0  # a console session ends after this long unused
    session_max_s: float = 12 * 3600.0  # and this long after sign-in (a long shift)
    require_signatures: bool = False  # every agency must sign its messages (JWS)
    signature_window_s: float = 300.0  # a signature older than this is a replay
    # Console sign-in (services.throttle, services.hashing): failures allowed per
    # username and per client address before pauses of signin_backoff_s, doubling with
    # each further failure up to signin_backoff_max_s; every refusal answered no sooner
    # than signin_refusal_delay_s after the request arrived; at most signin_queue
    # password checks waiting for the hashing thread.
    signin_user_failures: int = 5
    signin_address_failures: int = 20
    signin_backoff_s: float = 1.0
    signin_backoff_max_s: float = 900.0
    signin_refusal_delay_s: float = 1.0
    signin_queue: int = 8


ENV_PREFIX = "BLUELIGHT_"
DEFAULT_CONFIG = Path("bluelight.toml")


class Settings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: str = "var"
    db_path: str | None = None  # default: <data_dir>/hub.sqlite
    gazetteer_path: str | None = None  # default: <data_dir>/gazetteer.sqlite
    workbench_path: str | None = None  # default: <data_dir>/workbench.sqlite
    # A regional cluster (issue 12): the PostgreSQL database every node shares (a libpq
    # URL; name the primary and its standby, with target_session_attrs=read-write), and
    # the NATS servers (comma-separated nats:// URLs) that carry entries between nodes.
    # Unset: the embedded single-node hub, on the SQLite file db_path.
    store: str | None = None
    delivery: str | None = None
    # This node's name in its cluster (default: host name and port).
    node_name: str | None = None
    max_body_bytes: int = 256 * 1024  # also the largest WebSocket message
    # The hub's write-ahead log is checkpointed and truncated once it passes this size
    # (0: no bound). Each truncation briefly holds up writes; see the operator guide.
    wal_max_bytes: int = 64 * 1024 * 1024
    # A stream client whose socket takes a write for longer than this has stopped reading:
    # the hub drops the connection (see docs/integrator-guide.md, "Limits").
    stream_write_timeout_s: float = 20.0
    escalate_interval_s: float = 1.0
    # Governance loops run by the hub itself (0 turns one off): the retention purge, and
    # a witness of the audit log's head written to the log stream, i.e. kept outside the
    # database, so that `bluelight audit verify --head` can detect truncation.
    retention_interval_s: float = 3600.0
    audit_witness_interval_s: float = 300.0
    ack_deadline_s: float = 30.0
    decision_deadline_s: float = 120.0
    reject_unknown_uprn: bool = False
    phone_baseline_s: float = 240.0
    session_idle_s: float = 30 * 60.0
    session_max_s: float = 12 * 3600.0
    # Console sign-in throttling and password checking (see Policy).
    signin_user_failures: Annotated[int, msgspec.Meta(ge=1)] = 5
    signin_address_failures: Annotated[int, msgspec.Meta(ge=1)] = 20
    signin_backoff_s: Annotated[float, msgspec.Meta(gt=0)] = 1.0
    signin_backoff_max_s: Annotated[float, msgspec.Meta(gt=0)] = 900.0
    signin_refusal_delay_s: Annotated[float, msgspec.Meta(ge=0)] = 1.0
    signin_queue: Annotated[int, msgspec.Meta(ge=0)] = 8
    # Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses or
    # networks; "*" for any). Unset: the client address is the TCP peer's, whatever
    # headers say, since anyone can send that header and dodge per-address throttling.
    trusted_proxies: str = ""
    # Days personal data is kept for incidents sent under no agreement (an agreement
    # states its own retention).
    default_retention_days: int = 90
    # Message signatures (JWS): make them mandatory for every agency (an agency with an
    # active signing key must sign anyway), and how old a signature may be.
    require_signatures: bool = False
    signature_window_s: float = 300.0
    # Directories of the official JSON Schemas, to validate incoming documents against
    # (NENA EIDO: the schema/ folder of NENA911/EIDO-JSON; EDXL-DE: the French hub's).
    eido_schema_dir: str | None = None
    edxl_de_schema_dir: str | None = None
    log_level: str = "info"
    # TLS: HTTPS and WSS when both tls_cert and tls_key are set. With tls_client_ca the hub
    # asks for client certificates issued by that CA (mutual TLS; an agency's certificate
    # identifies it). They are optional unless tls_client_cert_required, so bearer-token
    # clients still work. tls_revoked: a file of revoked serial numbers (hex, one a line).
    tls_cert: str | None = None
    tls_key: str | None = None
    tls_client_ca: str | None = None
    tls_client_cert_required: bool = False
    tls_revoked: str | None = None

    @property
    def db(self) -> Path:
        return Path(self.db_path) if self.db_path else Path(self.data_dir) / "hub.sqlite"

    @property
    def node(self) -> str:
        """This node's name: letters, digits, '-' and '_' (it names the node's NATS
        connection and its escalation lease)."""
        return self.node_name or re.sub(r"[^A-Za-z0-9_-]", "-",
                                        f"{socket.gethostname()}-{self.port}")

    @property
    def nats_urls(self) -> list[str]:
        return [u.strip() for u in (self.delivery or "").split(",") if u.strip()]

    @property
    def gazetteer(self) -> Path:
        if self.gazetteer_path:
            return Path(self.gazetteer_path)
        return Path(self.data_dir) / "gazetteer.sqlite"

    @property
    def workbench(self) -> Path:
        if self.workbench_path:
            return Path(self.workbench_path)
        return Path(self.data_dir) / "workbench.sqlite"

    @property
    def tls(self) -> bool:
        return bool(self.tls_cert and self.tls_key)

    @property
    def policy(self) -> Policy:
        return Policy(
            ack_deadline_s=self.ack_deadline_s,
            decision_deadline_s=self.decision_deadline_s,
            reject_unknown_uprn=self.reject_unknown_uprn,
            phone_baseline_s=self.phone_baseline_s,
            session_idle_s=self.session_idle_s,
            session_max_s=self.session_max_s,
            require_signatures=self.require_signatures,
            signature_window_s=self.signature_window_s,
            **{f: getattr(self, f) for f in _SIGNIN_FIELDS},
        )


_SIGNIN_FIELDS = ("signin_user_failures", "signin_address_failures", "signin_backoff_s",
                  "signin_backoff_max_s", "signin_refusal_delay_s", "signin_queue")


class ConfigError(Exception):
    pass


def load_settings(path: Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """`path` (or ./bluelight.toml if present), overridden by the environment."""
    env = os.environ if env is None else env
    values: dict = {}
    path = path or (Path(env[f"{ENV_PREFIX}CONFIG"]) if f"{ENV_PREFIX}CONFIG" in env else None)
    if path is None and DEFAULT_CONFIG.exists():
        path = DEFAULT_CONFIG
    if path is not None:
        try:
            values.update(tomllib.loads(path.read_text()))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    fields = {f.name for f in msgspec.structs.fields(Settings)}
    for key, value in env.items():
        if key.startswith(ENV_PREFIX) and (name := key[len(ENV_PREFIX):].lower()) in fields:
            values[name] = value
    try:
        # strict=False lets environment strings become numbers, booleans and paths.
        settings = msgspec.convert(values, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"invalid setting: {exc}") from exc
    check_settings(settings)
    return settings


def check_settings(settings: Settings) -> None:
    """Catch a mistyped cluster URL before anything starts, naming the setting."""
    if settings.store is not None and not settings.store.startswith(
            ("postgresql://", "postgres://")):
        raise ConfigError(f"invalid setting store: {settings.store!r} is not a PostgreSQL "
                          "URL (postgresql://user:password@host:port/database)")
    for url in settings.nats_urls:
        if not url.startswith(("nats://", "tls://")):
            raise ConfigError(f"invalid setting delivery: {url!r} is not a NATS URL "
                              "(nats://host:port, comma-separated for several)")
    if settings.node_name is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}",
                                                           settings.node_name):
        raise ConfigError(f"invalid setting node_name: {settings.node_name!r} must be 1 to "
                          "64 letters, digits, '-' or '_'")
    if settings.nats_urls and settings.store is None:
        raise ConfigError("invalid setting delivery: NATS delivery joins the nodes of a "
                          "cluster, which share a PostgreSQL store; set store too")


def redact(url: str) -> str:
    """A database URL fit for a log line or an error: without its password."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)
