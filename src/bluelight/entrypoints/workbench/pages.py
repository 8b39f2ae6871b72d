"""The collaboration workbench's web pages: a single page in `static/`, served at
/workbench/ under the same strict Content-Security-Policy as the console.

The pages are a client of the `/v1/workbench/...` API. They sign in through the
console's session endpoint (/console/api/session) and reuse the console's stylesheet,
DOM, form and chart modules and its vendored Leaflet by path, so the two front ends look
and behave alike and nothing is fetched from elsewhere."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from bluelight.entrypoints.console import SECURITY_HEADERS

STATIC = Path(__file__).with_name("static")


class _WorkbenchFiles(StaticFiles):
    async def get_response(self, path: str, scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(SECURITY_HEADERS)
        # The shell must never be stale after an upgrade; the modules it loads are
        # revalidated by their ETag anyway.
        if path in ("", ".", "index.html"):
            response.headers["Cache-Control"] = "no-cache"
        return response


def routes() -> list:
    return [Mount("/workbench", app=_WorkbenchFiles(directory=STATIC, html=True,
                                                      check_dir=False), name="workbench")]
