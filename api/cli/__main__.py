"""``python -m paccto.api.cli``: the same as the ``paccto`` command."""

from paccto.api.cli import app

app()
