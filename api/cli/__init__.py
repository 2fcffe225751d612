"""The ``paccto`` command line: one module a family of commands, assembled here.

:mod:`~paccto.api.cli.application` holds the Typer application and the options every command
shares; :mod:`~paccto.api.cli.data` and :mod:`~paccto.api.cli.queries` register their commands
on it when imported; :mod:`~paccto.api.cli.render` is the ``paccto render`` group. Helpers they
share live in :mod:`~paccto.api.cli.common`, which imports no command.
"""

from __future__ import annotations

from paccto.api.cli import data, queries  # noqa: F401  (importing them registers their commands)
from paccto.api.cli.application import app
from paccto.api.cli.render import render_app

__all__ = ["app"]

app.add_typer(render_app, name="render")
