"""Serving a single-page front end's static files, shared by the hub's console and the
workbench's pages so both answer with the same security headers."""

from __future__ import annotations

from starlette.responses import Response
from starlette.staticfiles import StaticFiles

# A page may load only what it ships: no script, style or image from elsewhere, and no
# framing by other sites.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'self'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


class PageFiles(StaticFiles):
    """A single-page front end's files with the security headers. The shell must never
    be stale after an upgrade; the modules it loads are revalidated by their ETag."""

    async def get_response(self, path: str, scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(SECURITY_HEADERS)
        if path in ("", ".", "index.html"):
            response.headers["Cache-Control"] = "no-cache"
        return response
