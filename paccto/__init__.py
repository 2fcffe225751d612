"""PAcCTO Graph: a knowledge graph of cooperation against transnational organised crime.

The code lives in the top-level folders the project is organised by (``graph/``, ``api/``,
``ontology/``, ``seeds/``, ``queries/``); each appears here as a link, so that ``paccto.graph``
is a plain folder on disk to installers, type checkers and editors alike.
"""
