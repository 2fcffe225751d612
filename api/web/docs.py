"""``/docs`` (Swagger UI) and ``/redoc`` (Redoc), working offline and under a strict policy.

FastAPI's own pages load Swagger UI, Redoc and Google's fonts from public CDNs, so they were
blank without the internet. The scripts and styles here are the ones the fastapi-offline package
ships (kept current by its releases), served from ``/docs-assets``; Redoc uses the system fonts.
Redoc's bundle also hard-codes one outside address, the Redocly logo beside "API docs by
Redocly", which it loads on every page: the bundle is served with that address replaced by a
blank image, so the page asks nothing of another host and breaks no policy.
The pages are FastAPI's, built with those addresses; they are not fastapi-offline's own routes
because those give no way to set a header, and Swagger UI's page starts with an inline script
that a Content-Security-Policy must name by its hash.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from paccto.api.web.security_headers import policy

__all__ = ["ASSETS_PATH", "install_docs"]

ASSETS_PATH = "/docs-assets"
_ASSETS = Path(str(files("fastapi_offline").joinpath("static")))
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
#: Swagger UI would send the OpenAPI document to validator.swagger.io for a badge.
_SWAGGER_PARAMETERS: dict[str, Any] = {"validatorUrl": None}
_REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
_BLANK_IMAGE = b"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"

router = APIRouter(include_in_schema=False)


def _inline_script_hashes(page: str) -> str:
    return " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(page)
    )


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI: the operations, each with a form to try it against this server."""
    root = _root(request)
    page = get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - Swagger UI",
        swagger_js_url=f"{root}{ASSETS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{ASSETS_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{root}{ASSETS_PATH}/favicon.png",
        swagger_ui_parameters=_SWAGGER_PARAMETERS,
    )
    body = bytes(page.body).decode()
    page.headers["Content-Security-Policy"] = policy(
        script_src=f"'self' {_inline_script_hashes(body)}"
    )
    return page


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """Redoc: the same document as one long page; it searches in a worker started from a blob."""
    root = _root(request)
    page = get_redoc_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=f"{root}{ASSETS_PATH}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{ASSETS_PATH}/favicon.png",
        with_google_fonts=False,
    )
    page.headers["Content-Security-Policy"] = policy(worker_src="'self' blob:")
    return page


@cache
def _redoc_bundle() -> bytes:
    return (_ASSETS / "redoc.standalone.js").read_bytes().replace(_REDOC_LOGO, _BLANK_IMAGE)


# Registered before the assets are mounted, so this answers instead of the file as shipped.
@router.get(f"{ASSETS_PATH}/redoc.standalone.js")
def redoc_bundle() -> Response:
    """Redoc's bundle without its one outside address."""
    return Response(
        _redoc_bundle(),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def install_docs(app: FastAPI) -> None:
    """Serve the documentation pages and their assets (the app is built with ``docs_url`` and
    ``redoc_url`` set to None, so FastAPI's CDN pages are not registered)."""
    app.include_router(router)
    app.mount(ASSETS_PATH, StaticFiles(directory=_ASSETS), name="docs-assets")
