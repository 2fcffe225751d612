"""Writes a loaded, validated graph to the SPARQL 1.1 server behind a ``sparql:URL`` store, whole
or not at all, through the server's SPARQL Update endpoint.

A server takes one update request at a time as a transaction (SPARQL 1.1 Update says each
request SHOULD be atomic, and Virtuoso, Fuseki and GraphDB do so), but one request cannot carry a
million quads. So the load has two stages:

1. **Staging.** The quads go up in many small ``INSERT DATA`` requests into *staging graphs*,
   one per target graph, named ``urn:x-paccto-staging:TOKEN:`` followed by the target's IRI. No
   reader of the store sees them: it reads only graphs under the base IRI. If this stage fails
   or is killed, the graph in use is untouched; the staging graphs are dropped at once, or by
   the next load if the process died.
2. **Switch.** Once the server holds every staged quad (counted, not assumed), *one* update
   request removes every graph under the base IRI, copies each staging graph to its target
   and drops the staging graphs. Readers see the old graph or the new one, never a mixture.

Afterwards the quads under the base IRI are counted again, so a server that silently cuts an
update short (Virtuoso applies its ``ResultSetMaxRows`` to some of them) is reported, not
trusted.

Quads with blank nodes go in a template, ``INSERT { ... } WHERE {}``, all the quads sharing
one in the same request, since a blank node's label means the same node only within one.

Why ``INSERT DATA`` with a fallback: it is the one way to send many graphs per request that
every server takes, but some servers cannot build certain typed literals from it (Virtuoso 7.2
refuses every ``xsd:duration``). A refused request is split until the quads it refuses are
found, and each of those is sent again as ``STRDT(lexical form, datatype)``, the same literal in
SPARQL's other spelling; only if that is refused too does the load stop, naming the quad.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from paccto.graph.errors import (
    QueryError,
    StoreRequestFailedError,
    StoreUnavailableError,
    StoreWriteError,
)
from paccto.graph.load.loading import load_knowledge_graph
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.settings import Settings
from paccto.graph.store_address import StoreSpec
from paccto.graph.stores.sparql_client import SparqlClient
from paccto.graph.stores.sparql_load_lock import release_load_lock, take_load_lock
from paccto.graph.stores.write_options import WriteOptions

__all__ = [
    "MERGE_GRAPH_PREFIX",
    "STAGING_PREFIX",
    "SparqlLoadReport",
    "merge_graph",
    "merge_graph_update",
    "write_sparql_store",
    "write_to_sparql_store",
]

#: The merge graph's IRI is this followed by the base IRI (see :func:`merge_graph`).
MERGE_GRAPH_PREFIX = "urn:x-paccto-merge:"
#: Every staging graph's IRI starts with this; a load removes what earlier, killed loads left.
STAGING_PREFIX = "urn:x-paccto-staging:"
#: Quads per ``INSERT DATA``: Virtuoso compiles a request into SQL and refuses one of more than
#: 10 000 lines, which about 1 500 quads reach.
_QUADS_PER_REQUEST = 500
#: Seconds the switch may take: it copies the whole graph inside the server (minutes for a
#: million quads on Virtuoso), and leaving early would not stop it.
_SWITCH_TIMEOUT = 3600.0

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SparqlLoadReport:
    """What the server holds under the base IRI after the load, and what it held before."""

    quads: int
    graphs: int
    replaced_quads: int


def write_to_sparql_store(
    spec: StoreSpec, settings: Settings, files: Sequence[Path], options: WriteOptions
) -> str:
    """``paccto load`` for this store: the server is asked first whether it answers, before
    the (long) parse and validation."""
    if options.update_url is not None:
        # validated, so that a malformed URL is named before anything is sent
        settings = Settings.model_validate(
            {**settings.model_dump(), "store_update_url": options.update_url}
        )
    client = SparqlClient.from_settings(spec.location or "", settings)
    client.ask("ASK {}")
    kg = load_knowledge_graph(settings.model_copy(update={"store": "memory"}), files)
    report = write_sparql_store(kg, client, options.progress, break_lock=options.break_lock)
    return (
        f"{report.quads} quads in {report.graphs} graphs (replacing {report.replaced_quads} quads)"
    )


def write_sparql_store(
    kg: KnowledgeGraph,
    client: SparqlClient,
    progress: Progress | None = None,
    *,
    break_lock: bool = False,
) -> SparqlLoadReport:
    """Replace every graph under ``kg``'s base IRI on the server with ``kg``'s graphs.

    ``progress`` is told how many of the quads have been staged so far, and of how many. The
    load holds the server's load lock throughout (:mod:`paccto.graph.stores.sparql_load_lock`);
    ``break_lock`` removes another holder's lock first.

    Raises
    ------
    StoreWriteError
        A graph of ``kg`` lies outside the base IRI or in no named graph (the store would not
        read it back), the server refused a quad, or it holds other counts than were sent. The
        graph in use is unchanged, except after a switch the server cut short, which the
        message says.
    StoreUnavailableError, QueryTimeoutError
        The server cannot be reached, takes no updates at its update URL, or stopped answering.
    """
    quads = _quads_under_base(kg)
    try:
        lock = take_load_lock(client, break_lock=break_lock)
    except (QueryError, StoreUnavailableError) as error:
        raise type(error)(
            f"{error}. The first update was refused, so nothing was written: set "
            "PACCTO_STORE_UPDATE_URL to the server's SPARQL Update endpoint and "
            "PACCTO_STORE_USER / PACCTO_STORE_PASSWORD to an account allowed to write "
            "(Virtuoso: its /sparql-auth endpoint with PACCTO_STORE_AUTH=digest)"
        ) from None
    try:
        return _write(kg, client, quads, progress)
    finally:
        release_load_lock(client, lock)


def _write(
    kg: KnowledgeGraph, client: SparqlClient, quads: list[ox.Quad], progress: Progress | None
) -> SparqlLoadReport:
    """Stage, count, switch and count again, holding the load lock."""
    base = kg.ids.base
    graphs = len({quad.graph_name for quad in quads})
    _remove_staging_graphs(client, STAGING_PREFIX)
    before = _count_quads(client, base)
    staging = f"{STAGING_PREFIX}{uuid.uuid4().hex}:"
    try:
        staged = 0
        for batch in _batches(quads):
            _insert(client, batch, staging)
            staged += len(batch)
            if progress is not None:
                progress(staged, len(quads))
        held = _count_quads(client, staging)
        if held != len(quads):
            raise StoreWriteError(
                f"the server at {client.query_url} holds {held} of the {len(quads)} quads sent "
                "to it; it merged or dropped some, so the graph in use was left as it was"
            )
        switcher = dataclasses.replace(client, timeout=max(client.timeout, _SWITCH_TIMEOUT))
        try:
            switcher.update(_switch(base, staging))
        except (QueryError, StoreRequestFailedError) as error:
            raise StoreWriteError(
                f"the server refused the switch to the new graph, so the graph in use was left "
                f"as it was: {error}. A server that keeps one transaction's changes in a log "
                "must allow about twice the graph's size in it (Virtuoso: raise [Parameters] "
                "TransactionAfterImageLimit)"
            ) from None
    except BaseException:
        _remove_staging_graphs(client, staging, quietly=True)
        raise
    after = _count_quads(client, base)
    if after != len(quads):
        raise StoreWriteError(
            f"after the switch the server at {client.query_url} holds {after} quads under "
            f"{base}, not the {len(quads)} sent: it cut the update short (Virtuoso applies its "
            "[SPARQL] ResultSetMaxRows to updates; raise it above the number of quads) and the "
            "store must be loaded again"
        )
    return SparqlLoadReport(quads=len(quads), graphs=graphs, replaced_quads=before)


def _quads_under_base(kg: KnowledgeGraph) -> list[ox.Quad]:
    data = kg.dataset.serialize(format="nquads", encoding="utf-8")
    quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    for quad in quads:
        graph = quad.graph_name
        if isinstance(graph, ox.NamedNode) and graph.value.startswith(kg.ids.base):
            continue
        where = "in no named graph" if isinstance(graph, ox.DefaultGraph) else f"in {graph}"
        raise StoreWriteError(
            f"{quad.subject} {quad.predicate} {quad.object} is {where}: a sparql store reads "
            f"only named graphs under {kg.ids.base}, so it would never be seen; put it in the "
            "graph of a passage under that base"
        )
    return quads


def _batches(quads: Sequence[ox.Quad]) -> Iterator[list[ox.Quad]]:
    """Requests of at most about ``_QUADS_PER_REQUEST`` quads, keeping every quad that shares a
    blank node in one request: a blank node's label names the same node only within one."""
    plain = [quad for quad in quads if not _blank_nodes(quad)]
    for start in range(0, len(plain), _QUADS_PER_REQUEST):
        yield plain[start : start + _QUADS_PER_REQUEST]
    batch: list[ox.Quad] = []
    for group in _blank_node_groups([quad for quad in quads if _blank_nodes(quad)]):
        if batch and len(batch) + len(group) > _QUADS_PER_REQUEST:
            yield batch
            batch = []
        batch.extend(group)
    if batch:
        yield batch


def _blank_nodes(quad: ox.Quad) -> list[str]:
    return [term.value for term in (quad.subject, quad.object) if isinstance(term, ox.BlankNode)]


def _blank_node_groups(quads: Sequence[ox.Quad]) -> list[list[ox.Quad]]:
    """Quads joined, directly or through others, by a blank node (union-find over labels)."""
    parent: dict[str, str] = {}

    def root(label: str) -> str:
        parent.setdefault(label, label)
        while parent[label] != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    for quad in quads:
        first, *others = _blank_nodes(quad)
        for other in others:
            parent[root(other)] = root(first)
    groups: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in quads:
        groups[root(_blank_nodes(quad)[0])].append(quad)
    return list(groups.values())


def _insert(client: SparqlClient, quads: Sequence[ox.Quad], staging: str) -> None:
    """Stage ``quads``; on refusal, halve until the refused quads are found and resend those."""
    try:
        client.update(_insert_data(quads, staging))
        return
    except (QueryError, StoreRequestFailedError) as error:
        if len(quads) > 1 and not _blank_nodes(quads[0]):
            middle = len(quads) // 2
            _insert(client, quads[:middle], staging)
            _insert(client, quads[middle:], staging)
            return
        refusal = error
    quad = quads[0]
    if len(quads) == 1 and isinstance(quad.object, ox.Literal) and quad.object.datatype:
        try:
            client.update(_insert_typed_literal(quad, staging))
            return
        except (QueryError, StoreRequestFailedError):
            pass
    shown = f"{quad.subject} {quad.predicate} {quad.object} (graph {quad.graph_name})"
    if len(quads) > 1:
        shown = f"{len(quads)} quads joined by blank nodes, among them {shown}"
    raise StoreWriteError(
        f"the server at {client.update_url or client.query_url} refused to store {shown}: "
        f"{refusal}; the graph in use was left as it was"
    )


def _insert_data(quads: Sequence[ox.Quad], staging: str) -> str:
    by_graph: dict[str, list[str]] = defaultdict(list)
    for quad in quads:
        by_graph[_graph_iri(quad)].append(f"{quad.subject} {quad.predicate} {quad.object} .")
    blocks = (
        f"GRAPH <{staging}{graph}> {{\n{chr(10).join(triples)}\n}}"
        for graph, triples in by_graph.items()
    )
    body = "\n".join(blocks)
    if any(_blank_nodes(quad) for quad in quads):
        # Virtuoso refuses blank nodes in INSERT DATA; a template's blank nodes are the same
        # nodes throughout its one solution, which is what the labels mean here.
        return f"INSERT {{\n{body}\n}} WHERE {{}}"
    return f"INSERT DATA {{\n{body}\n}}"


def _graph_iri(quad: ox.Quad) -> str:
    """The IRI of the quad's graph, to stage it under: :func:`_quads_under_base` lets no quad
    of the default graph or of a blank-node graph through."""
    graph = quad.graph_name
    assert isinstance(graph, ox.NamedNode)
    return graph.value


def _insert_typed_literal(quad: ox.Quad, staging: str) -> str:
    literal = quad.object
    assert isinstance(literal, ox.Literal)
    return (
        f"INSERT {{ GRAPH <{staging}{_graph_iri(quad)}> "
        f"{{ {quad.subject} {quad.predicate} ?literal }} }} "
        f"WHERE {{ BIND(STRDT({ox.Literal(literal.value)}, {literal.datatype}) AS ?literal) }}"
    )


#: Every quad of every graph, as a pattern and as a template.
_EVERY_QUAD = "GRAPH ?g { ?s ?p ?o }"


def _under(prefix: str) -> str:
    return f"FILTER(STRSTARTS(STR(?g), {ox.Literal(prefix)}))"


def _switch(base: str, staging: str) -> str:
    """One request, so one transaction: out with the old graphs, in with the staged ones, and
    the merge of the new ones (:func:`merge_graph_update`)."""
    return (
        f"{_delete_graphs_under(base)} ;\n"
        "INSERT { GRAPH ?target { ?s ?p ?o } } "
        f"WHERE {{ {_EVERY_QUAD} {_under(staging)} "
        f"BIND(IRI(STRAFTER(STR(?g), {ox.Literal(staging)})) AS ?target) }} ;\n"
        f"{_delete_graphs_under(staging)} ;\n"
        f"{merge_graph_update(base)}"
    )


def merge_graph(base: str) -> str:
    """The graph holding the RDF merge of every graph under ``base``: outside ``base``, so that
    the store never reads it as one of the graph's passages."""
    return MERGE_GRAPH_PREFIX + base


def merge_graph_update(base: str) -> str:
    """The update that writes :func:`merge_graph` anew from the graphs under ``base``. A load
    runs it in its switch; after loading an export with the server's own bulk loader, run it
    once (docs/stores.md shows it)."""
    merge = f"<{merge_graph(base)}>"
    return (
        f"DELETE {{ GRAPH {merge} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {merge} {{ ?s ?p ?o }} }} ;\n"
        f"INSERT {{ GRAPH {merge} {{ ?s ?p ?o }} }} WHERE {{ {_EVERY_QUAD} {_under(base)} }}"
    )


def _delete_graphs_under(prefix: str) -> str:
    return f"DELETE {{ {_EVERY_QUAD} }} WHERE {{ {_EVERY_QUAD} {_under(prefix)} }}"


def _remove_staging_graphs(client: SparqlClient, prefix: str, *, quietly: bool = False) -> None:
    try:
        client.update(_delete_graphs_under(prefix))
    except Exception:
        # Cleaning up after a failure must not hide the failure; the next load retries it.
        if not quietly:
            raise


def _count_quads(client: SparqlClient, prefix: str) -> int:
    rows = client.select(f"SELECT (COUNT(*) AS ?quads) WHERE {{ {_EVERY_QUAD} {_under(prefix)} }}")
    return int(str(rows[0][0])) if rows and rows[0][0] is not None else 0
