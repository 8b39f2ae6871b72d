"""The collaboration workbench's web pages: a single page in `static/`, served at
/workbench/ under the same strict Content-Security-Policy as the console.

The pages are a client of the `/v1/workbench/...` API. They sign in through the
console's session endpoint (/console/api/session) and reuse the console's stylesheet,
DOM, form and chart modules and its vendored Leaflet by path, so the two front ends look
and behave alike and nothing is fetched from elsewhere."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import Mount

from bluelight.kernel.pages import PageFiles

STATIC = Path(__file__).with_name("static")


def routes() -> list:
    return [Mount("/workbench", app=PageFiles(directory=STATIC, html=True, check_dir=False),
                  name="workbench")]
