"""The `bluelight` command line: the command groups of both products (the hub's, in
`hub/entrypoints/cli_*.py`, and the workbench's), and the commands that run or describe
the whole server (`serve`, `demo`, `openapi`).

This is also where both products' commands get the composition root
(`bluelight.bootstrap`), which neither may import: the hub's ask
`hub.entrypoints.cli_root`, where it is installed here; the workbench's get
`WorkbenchCommands` as their context's `obj`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bluelight.hub.entrypoints import cli_root
from bluelight.hub.entrypoints.cli_agency import agency_app
from bluelight.hub.entrypoints.cli_gazetteer import app as gazetteer_app
from bluelight.hub.entrypoints.cli_governance import agreement_app, audit_app, retention_app
from bluelight.hub.entrypoints.cli_messages import convert, validate
from bluelight.hub.entrypoints.cli_operator import operator_app
from bluelight.hub.entrypoints.cli_pki import pki_app
from bluelight.hub.entrypoints.cli_stats import stats
from bluelight.kernel.cli import ConfigOpt, console, err
from bluelight.kernel.cli import settings as load_settings
from bluelight.kernel.settings import ConfigError, redact
from bluelight.sim.cli_bench import app as bench_app
from bluelight.sim.cli_region import app as region_app
from bluelight.workbench.entrypoints.cli_assessment import app as assessment_app
from bluelight.workbench.entrypoints.cli_estates import app as estates_app
from bluelight.workbench.entrypoints.cli_register import app as register_app
from bluelight.workbench.services.workbench import Formats, Workbench


def _composition_root() -> cli_root.Composition:
    # Imported by the first command that needs an adapter: the others, and --help,
    # start without loading every adapter.
    from bluelight import bootstrap

    return bootstrap


cli_root.install(_composition_root)


class WorkbenchCommands:
    """How the workbench's command groups reach the composition root: as their context's
    `obj` (`bluelight.workbench.entrypoints.CommandRoot`), since the workbench may not
    import `bootstrap`, which builds the hub too. `bootstrap` is imported on first use:
    it loads every hub adapter, which most commands never need."""

    def formats(self) -> Formats:
        from bluelight.bootstrap import workbench_formats

        return workbench_formats()

    def open(self, config: Path | None) -> Workbench:
        from bluelight.bootstrap import command_line_workbench

        return command_line_workbench(load_settings(config))


_WORKBENCH_CONTEXT = {"obj": WorkbenchCommands()}

app = typer.Typer(help="bluelight: multi-agency incident transfer hub.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
# The order of the help's listing: commands first, then groups, each as added.
app.add_typer(agency_app, name="agency")
app.add_typer(operator_app, name="operator")
app.add_typer(gazetteer_app, name="gazetteer")
app.add_typer(bench_app, name="bench")
app.add_typer(region_app, name="region")
app.add_typer(assessment_app, name="assessment", context_settings=_WORKBENCH_CONTEXT)
app.add_typer(estates_app, name="estates", context_settings=_WORKBENCH_CONTEXT)
app.add_typer(register_app, name="register", context_settings=_WORKBENCH_CONTEXT)
app.add_typer(pki_app, name="pki")
app.add_typer(agreement_app, name="agreement")
app.add_typer(audit_app, name="audit")
app.add_typer(retention_app, name="retention")


@app.command()
def serve(
    config: ConfigOpt = None,
    host: Annotated[str | None, typer.Option(help="Listen address")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port")] = None,
    db: Annotated[Path | None, typer.Option(help="Hub database file")] = None,
    store: Annotated[str | None, typer.Option(
        help="PostgreSQL URL of a regional cluster's database (instead of the SQLite file)")
                     ] = None,
    delivery: Annotated[str | None, typer.Option(
        help="NATS URLs (comma-separated) joining the cluster's nodes")] = None,
    node_name: Annotated[str | None, typer.Option(help="This node's name in its cluster")
                         ] = None,
    profile: Annotated[Path | None, typer.Option(
        help="Write a cProfile of the hub here on shutdown (for performance work)",
        envvar="BLUELIGHT_PROFILE")] = None,
    tls_cert: Annotated[Path | None, typer.Option(help="Server certificate (PEM): serve HTTPS")
                        ] = None,
    tls_key: Annotated[Path | None, typer.Option(help="Server private key (PEM)")] = None,
    tls_client_ca: Annotated[Path | None, typer.Option(
        help="CA of agencies' client certificates: ask for them (mutual TLS)")] = None,
    tls_revoked: Annotated[Path | None, typer.Option(
        help="File of revoked client certificate serials")] = None,
) -> None:
    """Run the hub (HTTP + WebSocket, or HTTPS + WSS with a TLS certificate and key)."""
    import uvicorn

    from bluelight.app import create_app
    from bluelight.bootstrap import build
    from bluelight.kernel.http_protocol import ProblemHttpToolsProtocol, with_problem_answers
    from bluelight.kernel.logs import setup_logging

    settings = load_settings(config, host=host, port=port, db_path=str(db) if db else None,
                             store=store, delivery=delivery, node_name=node_name,
                         **{k: str(v) for k, v in {
                             "tls_cert": tls_cert, "tls_key": tls_key,
                             "tls_client_ca": tls_client_ca, "tls_revoked": tls_revoked,
                         }.items() if v is not None})
    if bool(settings.tls_cert) != bool(settings.tls_key):
        err.print("error: TLS needs both tls_cert and tls_key")
        raise typer.Exit(2)
    if settings.tls_client_ca and not settings.tls:
        err.print("error: tls_client_ca needs tls_cert and tls_key")
        raise typer.Exit(2)
    setup_logging(settings.log_level)
    import os
    import sys
    # The commit and checkpoint threads must take the GIL back from a busy event loop
    # after each fsync; with the default 5 ms switch interval that stalls every batch.
    # Measured at 2,500 transfers/s offered: 2,140-2,420/s sustained at 5 ms,
    # 2,480-2,496/s at 1 ms and 0.2 ms (see docs/decisions/0003).
    sys.setswitchinterval(float(os.environ.get("BLUELIGHT_SWITCH_INTERVAL_S", "0.0002")))
    try:
        app_ = create_app(build(settings))
    except ConfigError as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(2) from None
    scheme = "https" if settings.tls else "http"
    where = f"store={redact(settings.store)}" if settings.store else f"db={settings.db}"
    console.print(f"bluelight hub on {scheme}://{settings.host}:{settings.port}  {where}")
    from bluelight.hub.entrypoints.wsprotocol import StreamProtocol

    # httptools (uvicorn[standard]), answering unparseable requests with problem details;
    # websockets-sansio, with a handle to abort a client that stops reading.
    protocols: dict = {"http": ProblemHttpToolsProtocol, "ws": StreamProtocol}
    if settings.tls:
        import ssl

        from bluelight.hub.entrypoints import tls

        # The protocols put the verified client certificate in the ASGI scope; the
        # revoked-serials file is the composition root's (`Runtime.certificates`).
        protocols = {"http": with_problem_answers(tls.TLSHttpToolsProtocol),
                     "ws": tls.TLSWebSocketsProtocol,
                     "ssl_certfile": settings.tls_cert, "ssl_keyfile": settings.tls_key}
        if settings.tls_client_ca:
            protocols |= {"ssl_ca_certs": settings.tls_client_ca,
                          "ssl_cert_reqs": ssl.CERT_REQUIRED if settings.tls_client_cert_required
                          else ssl.CERT_OPTIONAL}
    # uvicorn believes X-Forwarded-For (and -Proto) from loopback unless told otherwise;
    # the hub only from the proxies named in `trusted_proxies`, else anyone could pick
    # the address that sign-in throttling counts against.
    proxies = {"proxy_headers": bool(settings.trusted_proxies),
               "forwarded_allow_ips": settings.trusted_proxies or None}
    run = lambda: uvicorn.run(  # noqa: E731
        app_, host=settings.host, port=settings.port, log_level="warning", access_log=False,
        loop="uvloop", ws_per_message_deflate=False, **protocols, **proxies,
        ws_max_size=settings.max_body_bytes,  # a message is held whole: as large as a body
    )
    if profile is None:
        run()
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.runcall(run)
    profiler.dump_stats(profile)


app.command()(stats)


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Hub port")] = 8000,
    seconds: Annotated[float | None, typer.Option(help="Stop after this long")] = None,
    data_dir: Annotated[Path, typer.Option(help="Demo data (wiped at start)")] = Path("var/demo"),
) -> None:
    """Run a South Wales hub with simulated police, fire, ambulance and coastguard."""
    from bluelight.sim import demo as demo_

    demo_.run(data_dir, port, seconds)


app.command()(convert)
app.command()(validate)


@app.command("openapi")
def openapi_cmd(
    out: Annotated[Path | None, typer.Option(help="Write here instead of stdout")] = None,
) -> None:
    """Print the hub's OpenAPI document."""
    from bluelight import api_document

    text = json.dumps(api_document.document(), indent=2)
    if out:
        out.write_text(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    app()
