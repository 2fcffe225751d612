"""One settings object for every front end, read from the environment (``PACCTO_*``).

Settings are built on demand by :func:`get_settings` rather than at import time, so tests and the
command line can pass their own values without touching the environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_BASE_IRI", "Settings", "get_settings"]

DEFAULT_BASE_IRI = "https://w3id.org/paccto-graph/"


class Settings(BaseSettings):
    """Where the data comes from and how strictly it is checked."""

    model_config = SettingsConfigDict(env_prefix="PACCTO_", extra="ignore")

    base_iri: str = Field(
        DEFAULT_BASE_IRI,
        description="Base IRI of every identifier: entities under {base}id/, sources under "
        "{base}source/.",
    )
    data: list[Path] = Field(
        default_factory=list,
        description="Extra RDF files (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML) "
        "loaded after the seeds.",
    )
    include_seeds: bool = Field(
        True, description="Load the curated seed facts shipped with the package."
    )
    require_provenance: bool = Field(
        True,
        description="Refuse facts that are not in the graph of a passage of a registered "
        "source document.",
    )
    documents_dir: Path | None = Field(
        None,
        description="Folder holding the source documents' texts, used to check and show "
        "cited spans.",
    )

    store: str = Field(
        "memory",
        description="Where the graph lives: memory (loaded from the files at start), "
        "oxigraph:PATH (an on-disk store written by `paccto load`) or sparql:URL.",
    )

    store_update_url: str | None = Field(
        None,
        description="sparql:URL store only: the server's SPARQL Update endpoint, which `paccto "
        "load` writes through (Virtuoso: /sparql-auth; Fuseki: /DATASET/update); unset, the "
        "query URL.",
    )
    store_user: str | None = Field(
        None, description="sparql:URL store only: user name sent to the server, if it asks."
    )
    store_password: SecretStr | None = Field(
        None, description="sparql:URL store only: password sent to the server, if it asks."
    )
    store_auth: Literal["basic", "digest"] = Field(
        "basic", description="sparql:URL store only: how the credentials are sent."
    )
    store_timeout: float = Field(
        60.0,
        gt=0,
        le=3600,
        description="sparql:URL store only: seconds one request to the server may take.",
    )
    store_max_entities: int = Field(
        20_000,
        ge=10,
        description="sparql:URL store only: most entities one path, membership or "
        "neighbourhood question may read from the server; a question that needs more is "
        "refused and asks to be narrowed.",
    )
    store_max_copied_quads: int = Field(
        500_000,
        ge=0,
        description="sparql:URL store only: most quads copied from the server for a question "
        "that reads every quad (statistics, analytics, exports, the whole-graph view); a larger "
        "graph is refused with a message pointing to an oxigraph: store.",
    )

    host: str = Field("127.0.0.1", description="Address `paccto serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `paccto serve` listens on.")
    sparql_timeout: float = Field(
        10.0,
        gt=0,
        le=3600,
        description="Seconds a SPARQL query may run before it is stopped and answered with 503.",
    )
    sparql_max_rows: int = Field(
        10_000,
        ge=1,
        description="Most result rows (or triples) a SPARQL query may return; more is an error, "
        "never a truncated answer.",
    )
    sparql_workers: int = Field(
        2, ge=1, le=64, description="Worker processes evaluating SPARQL queries in parallel."
    )
    sparql_quick_workers: int = Field(
        1,
        ge=0,
        le=16,
        description="Extra SPARQL workers kept for short queries from clients with nothing "
        "running, so that long queries from others cannot make them wait; 0 turns the lane off.",
    )
    sparql_quick_seconds: float = Field(
        1.0,
        gt=0,
        le=60,
        description="Seconds a query may run on a quick worker before it moves to the general "
        "workers (its client then keeps out of the quick lane for a minute).",
    )
    sparql_query_memory_mb: int = Field(
        512,
        ge=0,
        description="MiB of memory one SPARQL query may use in a worker beyond the graph it "
        "holds; a query past it is stopped with a 503 problem. 0 removes the bound.",
    )
    sparql_network_isolation: Literal["required", "preferred", "off"] = Field(
        "preferred",
        description="Whether SPARQL workers run without a network (a Linux network namespace): "
        "`required` refuses to start without one, `preferred` runs anyway where the system "
        "cannot isolate them and says so in /health, `off` leaves them the network (only for "
        "testing the query check alone).",
    )
    max_request_bytes: int = Field(
        1_048_576,
        ge=1024,
        description="Largest request body or query string accepted, in bytes; more is refused "
        "with 413.",
    )
    access_log: bool = Field(
        False,
        description="`paccto serve` writes one line per request (uvicorn's access log); off by "
        "default, since writing it costs more than answering a small request.",
    )
    max_header_bytes: int = Field(
        65_536,
        ge=4096,
        le=1_048_576,
        description="Largest total of request header fields accepted, in bytes; more is "
        "refused with 431 before the request reaches a route.",
    )

    @field_validator("store")
    @classmethod
    def _store_is_known(cls, value: str) -> str:
        from paccto.graph.errors import PacctoError
        from paccto.graph.store_address import parse_store

        try:
            return str(parse_store(value))
        except PacctoError as error:
            raise ValueError(str(error)) from None

    @field_validator("store_update_url")
    @classmethod
    def _update_url_is_http(cls, value: str | None) -> str | None:
        from urllib.parse import urlsplit

        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"the update URL must be an http(s) URL: {value!r}")
        return value

    @field_validator("base_iri")
    @classmethod
    def _base_iri_ends_with_separator(cls, value: str) -> str:
        # Seeds use relative IRIs (<id/clasi>), which resolve as intended only against a
        # hierarchical base whose path ends with "/".
        if not value.startswith(("http://", "https://")) or "#" in value or "?" in value:
            raise ValueError(
                f"the base IRI must be an absolute http(s) IRI with no query or fragment: {value!r}"
            )
        return value if value.endswith("/") else value + "/"


def get_settings(**overrides: object) -> Settings:
    """Read the settings from the environment, with explicit values taking precedence."""
    # Any: pydantic validates and converts each value (a str to a Path, ...) against its field.
    given: dict[str, Any] = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**given)
