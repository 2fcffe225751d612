"""Which answers other sites' scripts may read: the public read-only data, never a page.

The policy, route by route:

* allowed, for any origin and without credentials: ``/sparql`` (a YASGUI page served elsewhere
  queries it), ``/api/...``, ``/export...``, the RDF answers of ``/id/...``, ``/source/...`` and
  ``/passage/...``, ``/openapi.json`` and ``/health``. All are public, read-only and the same
  for every caller, so reading them from another origin gives away nothing a direct request
  does not; a SPARQL query run from a GET is no different from one run by POST.
* refused (no ``Access-Control-*`` headers, so a browser hides the answer from the calling
  script): every HTML page, including the HTML answers of the allowed paths, ``/``,
  ``/explore/...`` (``/explore/sparql`` runs a query and renders it), ``/view/...``, ``/docs``,
  ``/redoc``, ``/problems`` and the static files. A page is for a person in a browser
  tab; no other site's script needs to read one, and refusing costs nothing.

A preflight for a refused path gets the route's own answer (405 for OPTIONS), without the
headers, so the browser does not send the request.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["PUBLIC_PATHS", "PublicDataCORS"]

#: Paths (each with everything under it) whose non-HTML answers any origin may read.
PUBLIC_PATHS = (
    "/sparql", "/api", "/export", "/id", "/source", "/passage", "/openapi.json", "/health",
)  # fmt: skip


def _is_public(scope: Scope) -> bool:
    path: str = scope["path"]
    root = str(scope.get("root_path", "")).rstrip("/")
    if root and path.startswith(root):
        path = path[len(root) :]
    return any(path == prefix or path.startswith(prefix + "/") for prefix in PUBLIC_PATHS)


class PublicDataCORS:
    """Starlette's CORS handling on :data:`PUBLIC_PATHS` only, never on an HTML answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=["*"],
            allow_methods=["GET", "HEAD", "POST"],
            allow_headers=["Accept", "Content-Type"],
            expose_headers=["Content-Disposition", "Retry-After", "Link", "X-Result-Count"],
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_public(scope):
            await self.app(scope, receive, send)
            return

        async def not_on_pages(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").lower().startswith("text/html"):
                    for name in {n for n in headers if n.startswith("access-control-")}:
                        del headers[name]
            await send(message)

        await self.cors(scope, receive, not_on_pages)
