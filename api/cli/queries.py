"""Commands that ask the graph questions: statistics, SPARQL, entities, paths, memberships,
neighbourhoods and rankings."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rdflib import URIRef
from rich.table import Table

from paccto.api.cli.application import app
from paccto.api.cli.common import (
    AsJson,
    AsOf,
    ClassFilter,
    QueryOutput,
    err,
    load_graph,
    out,
    period_text,
    plain,
    print_json,
    sources_text,
    user_errors,
)
from paccto.api.cli.questions import question_command
from paccto.graph.errors import PacctoError
from paccto.graph.questions.membership import Membership, MembersQuestion
from paccto.graph.questions.neighbourhood import NeighbourhoodQuestion
from paccto.graph.questions.paths import PathQuestion


@app.command()
def stats(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for programs.")] = False,
) -> None:
    """Entities per class, relationships per property and facts per source document."""
    from paccto.graph.questions.statistics import graph_statistics

    with user_errors():
        figures = graph_statistics(load_graph(ctx))
        if as_json:
            out.print_json(json.dumps(figures.as_dict()))
            return
        totals = Table(title="PAcCTO Graph", show_header=False)
        for name in (
            "entities",
            "relationships",
            "sources",
            "passages",
            "distinct_triples",
            "quads",
        ):
            totals.add_row(name.replace("_", " "), str(getattr(figures, name)))
        out.print(totals)
        for title, column, counts in (
            ("Entities per class", "class", figures.entities_per_class),
            ("Relationships per property", "property", figures.relationships_per_property),
            ("Facts per source document", "source", figures.facts_per_source),
        ):
            table = Table(title=title)
            table.add_column(column)
            table.add_column("count", justify="right")
            for key, count in counts.items():
                table.add_row(key, str(count))
            out.print(table)


def _read_query(query: str | None, file: Path | None) -> str:
    if (query is None) == (file is None):
        raise PacctoError("give a query as an argument or with --file, not both and not neither")
    if file is not None:
        if not file.is_file():
            raise PacctoError(f"{file}: no such query file")
        return file.read_text(encoding="utf-8")
    return str(query)


def _term(value: object) -> str:
    return "" if value is None else str(value)


@app.command()
def sparql(
    ctx: typer.Context,
    query: Annotated[str | None, typer.Argument(help="The SPARQL query text.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Read the query from this file.")
    ] = None,
    output_format: Annotated[
        QueryOutput,
        typer.Option("--format", help="table, json, csv, tsv, xml; turtle or nt for graphs."),
    ] = QueryOutput.table,
) -> None:
    """Run a read-only SPARQL query over the loaded graph (prefixes id:, paccto:, org: ... are
    predeclared)."""
    from paccto.graph.sparql.query import run_query

    with user_errors():
        text = _read_query(query, file)
        kg = load_graph(ctx)
        result = run_query(kg, text)
        if result.kind in ("CONSTRUCT", "DESCRIBE"):
            assert result.graph is not None
            graph_format = "nt" if output_format is QueryOutput.nt else "turtle"
            sys.stdout.write(result.graph.serialize(format=graph_format))
            return
        if output_format is QueryOutput.table:
            if result.kind == "ASK":
                out.print("true" if result.boolean else "false")
                return
            table = Table(caption=f"{len(result.rows)} row(s)")
            for variable in result.variables:
                table.add_column(variable, overflow="fold")

            def compact(value: object) -> str:
                if isinstance(value, URIRef):
                    return kg.ids.compact(str(value))
                return _term(value)

            for row in result.rows:
                table.add_row(*(compact(value) for value in row))
            out.print(table)
            return
        if output_format in (QueryOutput.turtle, QueryOutput.nt):
            raise PacctoError(f"--format {output_format} is for CONSTRUCT and DESCRIBE queries")
        data = result.raw.serialize(format=output_format.value)
        sys.stdout.write(data.decode("utf-8") if isinstance(data, bytes) else data)
        if output_format is QueryOutput.json:
            sys.stdout.write("\n")


@app.command()
def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="An id, IRI, label or acronym, in any language.")],
    as_json: AsJson = False,
) -> None:
    """Everything the graph says about one entity, with the source of each fact."""
    from paccto.graph.questions.description import describe_entity

    with user_errors():
        entity = describe_entity(load_graph(ctx), name)
        if as_json:
            print_json(entity)
            return
        out.print(f"[bold]{entity.label}[/] ({entity.class_label}) id:{entity.id}", highlight=False)
        out.print(entity.iri, highlight=False)
        other = [f"{text} @{lang}" for lang, text in entity.labels.items() if text != entity.label]
        if other or entity.aliases:
            out.print("also: " + "; ".join(other + entity.aliases), highlight=False)
        if entity.description:
            out.print(entity.description, highlight=False)
        for key, value in entity.attributes.items():
            out.print(f"{key.replace('_', ' ')}: {value}", highlight=False)
        if entity.indicators:
            table = Table(title="Figures")
            for column in ("measure", "value", "as of", "sources"):
                table.add_column(column)
            for item in entity.indicators:
                table.add_row(
                    str(item["measure"]), str(item["value"]), str(item.get("date") or ""),
                    sources_text(item["sources"]),
                )  # fmt: skip
            out.print(table)
        table = Table(title=f"{len(entity.facts)} relationships")
        for column in ("relation", "", "entity", "class", "dates", "sources"):
            table.add_column(column, overflow="fold")
        for fact in entity.facts:
            arrow = "→" if fact.direction == "out" else "←"
            table.add_row(
                fact.relation, arrow, f"{fact.other_label} ({fact.other})", fact.other_class,
                period_text(fact.start, fact.end), sources_text(fact.documents),
            )  # fmt: skip
        out.print(table)


@app.command()
def search(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Words to look for in names, aliases and acronyms.")],
    limit: Annotated[int, typer.Option(min=1, max=200, help="How many matches to show.")] = 20,
    classes: ClassFilter = None,
    as_json: AsJson = False,
) -> None:
    """Entities whose names match TEXT, best first, with their class."""
    with user_errors():
        from paccto.graph.model.names import matching_classes

        kg = load_graph(ctx)
        wanted = set(matching_classes(kg.catalogue, classes)) if classes else None
        hits = kg.index.search(text, limit=limit, classes=wanted)
        if as_json:
            print_json(hits)
            return
        table = Table(caption=f"{len(hits)} match(es)")
        for column in ("id", "label", "class", "matched", "score"):
            table.add_column(column, overflow="fold")
        for hit in hits:
            table.add_row(hit.id, hit.label, hit.class_label, hit.matched, str(hit.score))
        out.print(table)


def _path(ctx: typer.Context, question: PathQuestion, *, as_json: AsJson = False) -> None:
    with user_errors():
        paths = question.answer(load_graph(ctx))
        if as_json:
            print_json([{**plain(p), "length": p.length} for p in paths])  # type: ignore[dict-item]
            return
        for number, found in enumerate(paths, 1):
            note = f"; through hub(s) {', '.join(found.hubs)}" if found.hubs else ""
            table = Table(
                title=f"Path {number}: {found.length} step(s){note}", title_justify="left"
            )
            for column in ("from", "relation", "to", "dates", "sources"):
                table.add_column(column, overflow="fold")
            for step in found.steps:
                for link_number, link in enumerate(step.links):
                    forward = link.direction == "forward"
                    relation = f"{link.relation} →" if forward else f"← {link.relation}"
                    table.add_row(
                        step.source_label if link_number == 0 else "", relation,
                        step.target_label if link_number == 0 else "",
                        period_text(link.start, link.end), sources_text(link.documents),
                    )  # fmt: skip
            out.print(table)
        if any(found.hubs for found in paths) and not question.avoid_hubs:
            err.print("hint: --avoid-hubs finds paths that do not go through hubs", highlight=False)


question_command(
    app,
    PathQuestion,
    _path,
    name="path",
    help="How SOURCE is connected to TARGET, step by step, with the documents behind each step.",
)


def _print_memberships(records: list[Membership], title: str, as_json: bool) -> None:
    if as_json:
        print_json(records)
        return
    table = Table(title=title, caption=f"{len(records)} row(s)")
    for column in ("member", "of", "kind", "role", "dates", "via", "sources"):
        table.add_column(column, overflow="fold")
    for record in records:
        table.add_row(
            f"{record.member_label} ({record.member})",
            f"{record.organisation_label} ({record.organisation})",
            record.kind, record.role or "", period_text(record.start, record.end),
            " > ".join(record.via), sources_text(record.documents),
        )  # fmt: skip
    out.print(table)


def _members(ctx: typer.Context, question: MembersQuestion, *, as_json: AsJson = False) -> None:
    with user_errors():
        kg = load_graph(ctx)
        if question.by_phase:
            phases = question.answer_by_phase(kg)
            if as_json:
                print_json(phases)
                return
            for phase, records in phases.items():
                _print_memberships(records, f"Members of {phase}", False)
            return
        records = question.answer(kg)
        _print_memberships(records, f"Members of {question.organisation}", as_json)


question_command(
    app,
    MembersQuestion,
    _members,
    name="members",
    help="Who belongs to ORGANISATION, in which role and since when.",
)


@app.command()
def memberships(
    ctx: typer.Context,
    member: Annotated[str, typer.Argument(help="A country, institution or person.")],
    as_of: AsOf = None,
    as_json: AsJson = False,
) -> None:
    """What MEMBER belongs to, is part of, or took part in."""
    from paccto.graph.model.dates import parse_as_of
    from paccto.graph.questions.membership import memberships_of

    with user_errors():
        records = memberships_of(load_graph(ctx), member, as_of=parse_as_of(as_of))
        _print_memberships(records, f"Memberships of {member}", as_json)


@app.command()
def common(
    ctx: typer.Context,
    first: Annotated[str, typer.Argument(help="One entity.")],
    second: Annotated[str, typer.Argument(help="The other.")],
    as_of: AsOf = None,
    as_json: AsJson = False,
) -> None:
    """What FIRST and SECOND both belong to or took part in."""
    from paccto.graph.model.dates import parse_as_of
    from paccto.graph.questions.membership import common_memberships

    with user_errors():
        shared = common_memberships(load_graph(ctx), first, second, as_of=parse_as_of(as_of))
        if as_json:
            print_json(shared)
            return
        table = Table(caption=f"{len(shared)} in common")
        for column in ("organisation", f"{first} as", f"{second} as", "dates"):
            table.add_column(column, overflow="fold")
        for item in shared:
            table.add_row(
                f"{item.organisation_label} ({item.organisation})",
                item.first.role or item.first.kind, item.second.role or item.second.kind,
                period_text(item.first.start, item.first.end),
            )  # fmt: skip
        out.print(table)


def _neighbours(
    ctx: typer.Context, question: NeighbourhoodQuestion, *, as_json: AsJson = False
) -> None:
    with user_errors():
        found = question.answer(load_graph(ctx))
        if as_json:
            print_json(found)
            return
        table = Table(
            title=f"Within {question.depth} step(s) of {question.name}",
            caption=f"{len(found.nodes)} entities, {len(found.edges)} links",
        )
        for column in ("distance", "id", "label", "class"):
            table.add_column(column, overflow="fold")
        for node in found.nodes:
            table.add_row(str(node.distance), node.id, node.label, node.class_label)
        out.print(table)


question_command(
    app,
    NeighbourhoodQuestion,
    _neighbours,
    name="neighbours",
    help="The ego network: entities within DEPTH steps of NAME, and the links among them.",
)


class RankBy(StrEnum):
    degree = "degree"
    betweenness = "betweenness"
    brokerage = "brokerage"


@app.command()
def rank(
    ctx: typer.Context,
    by: Annotated[
        RankBy,
        typer.Option(
            help="degree, betweenness, or brokerage (betweenness between the EU and LAC sides)."
        ),
    ] = RankBy.degree,
    top: Annotated[int, typer.Option(min=1, max=1000, help="How many to list.")] = 20,
    classes: ClassFilter = None,
    as_json: AsJson = False,
) -> None:
    """Who is most connected, who lies on most paths, who brokers between the two regions."""
    from paccto.graph.questions.analytics import brokers, rank_entities

    with user_errors():
        kg = load_graph(ctx)
        if by is RankBy.brokerage:
            if classes:
                raise PacctoError("--class does not apply to --by brokerage")
            ranking = brokers(kg.projection, top=top)
        else:
            ranking = rank_entities(kg.projection, by=by.value, top=top, classes=classes or None)
        if as_json:
            print_json(ranking)
            return
        table = Table(title=f"Ranked by {by.value}")
        for column in ("rank", "id", "label", "class", "side", by.value):
            table.add_column(column, overflow="fold")
        for item in ranking:
            table.add_row(
                str(item.rank), item.id, item.label, item.class_label, item.side or "",
                f"{item.score:g}",
            )  # fmt: skip
        out.print(table)


@app.command()
def communities(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help="Seed of the Louvain method, for stable answers.")] = 42,
    as_json: AsJson = False,
) -> None:
    """Groups of entities more linked among themselves than with the rest (Louvain)."""
    from paccto.graph.questions.analytics import communities as find_communities

    with user_errors():
        found = find_communities(load_graph(ctx).projection, seed=seed)
        if as_json:
            print_json(found)
            return
        table = Table(caption=f"{len(found)} communities")
        for column in ("community", "size", "members"):
            table.add_column(column, overflow="fold")
        for community in found:
            names = ", ".join(member.label for member in community.members[:12])
            more = f" … and {community.size - 12} more" if community.size > 12 else ""
            table.add_row(community.name, str(community.size), names + more)
        out.print(table)


@app.command()
def bridges(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Links between the European and the Latin American and Caribbean side, and the entities
    with neighbours on both sides."""
    from paccto.graph.questions.analytics import bridging_entities, bridging_links

    with user_errors():
        kg = load_graph(ctx)
        links = bridging_links(kg.projection)
        between = bridging_entities(kg.projection)
        if as_json:
            print_json({"links": links, "entities": between})
            return
        table = Table(title="Direct links between the two sides")
        for column in ("EU side", "relation", "LAC side", "sources"):
            table.add_column(column, overflow="fold")
        for link in links:
            eu_first = link.source_side == "EU"
            relation = f"{link.relation} →" if eu_first else f"← {link.relation}"
            table.add_row(
                link.source_label if eu_first else link.target_label, relation,
                link.target_label if eu_first else link.source_label, ", ".join(link.documents),
            )  # fmt: skip
        out.print(table)
        table = Table(title="Entities with neighbours on both sides")
        for column in ("id", "label", "class", "side", "EU neighbours", "LAC neighbours"):
            table.add_column(column, overflow="fold")
        for item in between:
            table.add_row(
                item.id, item.label, item.class_label, item.side or "",
                str(item.eu_neighbours), str(item.lac_neighbours),
            )  # fmt: skip
        out.print(table)
