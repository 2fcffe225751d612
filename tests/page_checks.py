"""Reading a rendered view page the way a browser would: its data blocks and what it fetches."""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["data_block", "external_references"]


def data_block(html: str, name: str) -> Any:
    """The JSON a view page hands its script in ``<script type="application/json" id=name>``."""
    match = re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', html, re.S)
    assert match, f"no {name} block"
    return json.loads(match.group(1))


def external_references(html: str) -> list[str]:
    """Every address a browser would fetch for a script, style, image, frame or font."""
    fetched = re.findall(
        r"<(?:script|img|iframe|source|embed)\b[^>]*\bsrc\s*=\s*[\"']?([^\"' >]+)", html, re.I
    )
    fetched += re.findall(r"<link\b[^>]*\bhref\s*=\s*[\"']?([^\"' >]+)", html, re.I)
    for style in re.findall(r"<style\b[^>]*>(.*?)</style>", html, re.S | re.I):
        fetched += re.findall(r"@import\s+(?:url\()?[\"']?([^\"') ;]+)", style, re.I)
        fetched += re.findall(r"url\(\s*[\"']?((?!data:)[^\"')]+)", style, re.I)
    return fetched
