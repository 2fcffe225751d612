"""The JSON API's schemas: query parameters shared by several routers, and response models.

Response models mirror the plain dataclasses :mod:`paccto.graph` returns, field for field, so
that the HTTP answer, ``paccto ... --json`` and the library say the same thing under the same
names. They are read from those dataclasses by attribute (``from_attributes``), so a handler
only calls a graph/ function and validates its answer into the model. The one renaming is the
entity's class key: ``cls`` in Python, ``class`` in JSON, as in the ``class`` query parameter.

Parameters that need the loaded graph to be checked (class and relation names) are checked
here against it, so that a misspelt name is a 422 naming the parameter, as FastAPI's own
validation gives for a malformed number or date, rather than a silently empty answer.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Depends, Query
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from paccto.api.web.dependencies import KG
from paccto.api.web.problems import ProblemError
from paccto.graph.errors import PacctoError
from paccto.graph.model.dates import parse_as_of
from paccto.graph.model.knowledge_graph import KnowledgeGraph
from paccto.graph.model.names import matching_classes

__all__ = [
    "AsOf",
    "BridgeOut",
    "BridgesOut",
    "BridgingEntityOut",
    "CitationOut",
    "ClassFilter",
    "CommonMembershipOut",
    "CommonOut",
    "CommunitiesOut",
    "CommunityMemberOut",
    "CommunityOut",
    "EntityHitOut",
    "EntityListOut",
    "EntityOut",
    "EntityRefOut",
    "FactOut",
    "IndicatorOut",
    "LinkOut",
    "MembersOut",
    "MembershipOut",
    "MembershipsOut",
    "NameList",
    "NeighbourOut",
    "NeighbourhoodEdgeOut",
    "NeighbourhoodOut",
    "PassageOut",
    "PathEntityOut",
    "PathOut",
    "PathStepOut",
    "PathsOut",
    "PhaseMembersOut",
    "RankedEntityOut",
    "RankingOut",
    "SourceOut",
    "SourceSummaryOut",
    "SourcesOut",
    "StatisticsOut",
    "checked_classes",
    "invalid_parameter",
]


# --- query parameters --------------------------------------------------------------------------


def invalid_parameter(parameter: str, message: str) -> ProblemError:
    """A 422 problem shaped like FastAPI's own validation problems, naming the parameter."""
    location = f"query.{parameter}"
    return ProblemError(
        422,
        "invalid-parameters",
        f"{location}: {message}",
        errors=[{"location": location, "message": message}],
    )


#: A repeatable parameter of names; an empty name is refused (422) as malformed, not looked up.
NameList = list[Annotated[str, StringConstraints(min_length=1)]] | None


def _as_of(value: object) -> date | None:
    # Raised as ValueError, so FastAPI reports it as a 422 on ``query.as_of``, not a 400.
    if value is None or isinstance(value, date):
        return value
    try:
        return parse_as_of(str(value))
    except PacctoError as error:
        raise ValueError(str(error)) from None


#: A partial date read as the last day it can mean (``2021`` is 2021-12-31).
AsOf = Annotated[
    date | None,
    BeforeValidator(_as_of),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$",
            "examples": ["2021", "2023-11", "2023-11-21"],
        }
    ),
    Query(
        description="Keep only what holds on this date: YYYY, YYYY-MM or YYYY-MM-DD; a year or "
        "a month means its last day."
    ),
]


def checked_classes(
    kg: KnowledgeGraph, parameter: str, names: list[str] | None
) -> frozenset[str] | None:
    """The compact class names ``names`` designate, or a 422 on ``parameter`` for an unknown
    one (the message lists the classes there are)."""
    if not names:
        return None
    try:
        return matching_classes(kg.catalogue, names)
    except PacctoError as error:
        raise invalid_parameter(parameter, str(error)) from None


def _class_filter(
    kg: KG,
    classes: Annotated[
        NameList,
        Query(
            alias="class",
            description="Only entities of this class (repeatable): a label such as `Country` "
            "or a compact name such as `paccto:Country`, in any case.",
        ),
    ] = None,
) -> frozenset[str] | None:
    return checked_classes(kg, "class", classes)


#: The repeatable ``class`` query parameter, checked and turned into compact class names.
ClassFilter = Annotated[frozenset[str] | None, Depends(_class_filter)]


# --- responses ---------------------------------------------------------------------------------


class _Out(BaseModel):
    """Read from graph/ dataclasses and dicts by attribute; accepts ``cls`` or ``class``."""

    model_config = ConfigDict(from_attributes=True, validate_by_name=True, validate_by_alias=True)


class CitationOut(_Out):
    """Where a statement is made: a span of a registered source document."""

    document: str | None = Field(
        description="The source document, compact (`src:doc-003`); see `/api/sources/{id}`."
    )
    file: str | None = Field(description="The document's file name.")
    start: int | None = Field(description="First character of the passage (from 0).")
    end: int | None = Field(description="Character just after the passage (exclusive).")


class EntityRefOut(_Out):
    """An entity, as names and class."""

    id: str = Field(description="Readable identifier, usable wherever a name is asked for.")
    iri: str = Field(description="The entity's IRI; dereferenceable as linked data.")
    label: str = Field(description="Display name (English when there is one).")
    cls: str = Field(alias="class", description="Most specific class, compact (`paccto:Country`).")
    class_label: str = Field(description="Readable name of that class.")


class EntityHitOut(EntityRefOut):
    """One entity of a list or of a search, best match first."""

    matched: str | None = Field(
        None, description="For a search: the name that matched (label, alias, acronym...)."
    )
    score: float | None = Field(
        None,
        description="For a search: 100 for an exact name, less for a prefix, a word, a "
        "substring, then close spellings.",
    )


class EntityListOut(_Out):
    """A page of entities: search results when `q` is given, otherwise all, by label."""

    query: str | None = Field(description="The search text, or null for a plain list.")
    classes: list[str] = Field(description="The class filter applied, as compact names.")
    total: int = Field(description="How many entities match in all, before paging.")
    limit: int
    offset: int
    items: list[EntityHitOut]


class FactOut(_Out):
    """A relationship seen from the described entity."""

    relation: str = Field(description="Readable relation, with a membership's role.")
    key: str = Field(description="The relation's key (`paccto:counterpartOf`, `org:memberOf/...`).")
    direction: Literal["out", "in"] = Field(
        description="`out` when the entity is the subject of the statement, `in` the object."
    )
    other: str = Field(description="Identifier of the entity at the other end.")
    other_label: str
    other_class: str = Field(description="Class label of the entity at the other end.")
    start: str | None = Field(description="Holds from (partial date), if stated.")
    end: str | None = Field(description="Holds until (partial date), if stated.")
    documents: list[CitationOut] = Field(description="Every passage stating the fact.")


class IndicatorOut(_Out):
    """A figure about the entity (budget, number of countries...)."""

    measure: str | None
    value: float | int | str | None
    date: str | None = Field(description="The date the figure refers to, if stated.")
    sources: list[CitationOut]


class EntityOut(_Out):
    """Everything the graph says about one entity, with the sources of each fact."""

    id: str = Field(description="Readable identifier, usable wherever a name is asked for.")
    iri: str
    label: str
    labels: dict[str, str] = Field(
        description="Label per language tag; the empty key for an untagged label."
    )
    aliases: list[str] = Field(description="Other names and acronyms.")
    cls: str = Field(alias="class", description="Most specific class, compact.")
    class_label: str
    description: str | None
    attributes: dict[str, str | int | float] = Field(
        description="Dates, ISO code, budget (EUR), planned duration, when known."
    )
    indicators: list[IndicatorOut]
    facts: list[FactOut] = Field(description="Outgoing facts first, then incoming.")


class NeighbourOut(_Out):
    """An entity of a neighbourhood."""

    id: str
    iri: str
    label: str
    cls: str = Field(alias="class", description="Most specific class, compact.")
    class_label: str
    distance: int = Field(description="Steps from the centre (0 for the centre).")


class NeighbourhoodEdgeOut(_Out):
    """A stated relationship among the shown entities, in its stated direction."""

    source: str = Field(description="Identifier of the subject.")
    target: str = Field(description="Identifier of the object.")
    relation: str
    key: str
    start: str | None
    end: str | None
    documents: list[str] = Field(description="Source documents stating it (`src:doc-003`).")
    passages: list[str] = Field(description="IRIs of the passages stating it.")


class NeighbourhoodOut(_Out):
    """The ego network: entities within `depth` steps of the centre and the links among them."""

    centre: str = Field(description="IRI of the entity at the centre.")
    depth: int
    classes: list[str] = Field(description="Class filter applied (compact names).")
    relations: list[str] = Field(description="Relation filter applied, as given.")
    as_of: str | None = Field(description="The day applied, ISO (a year means 31 December).")
    nodes: list[NeighbourOut] = Field(description="By distance, then label; the centre first.")
    edges: list[NeighbourhoodEdgeOut]


class MembershipOut(_Out):
    """`member` belongs to (or takes part in) `organisation`."""

    member: str = Field(description="Identifier of the member.")
    member_label: str
    member_class: str = Field(description="Class label of the member.")
    organisation: str = Field(description="Identifier of the organisation, phase or event.")
    organisation_label: str
    organisation_class: str
    kind: Literal["membership", "sub-organisation", "participation"]
    role: str | None = Field(description="Role of the membership, such as `Member state`.")
    start: str | None
    end: str | None
    via: list[str] = Field(
        description="For transitive members: the sub-organisations the membership goes through."
    )
    documents: list[CitationOut]


class PhaseMembersOut(_Out):
    """The members of one phase of a programme."""

    phase: str = Field(description="Identifier of the phase.")
    members: list[MembershipOut]


class MembersOut(_Out):
    """Who belongs to an organisation."""

    organisation: EntityRefOut = Field(description="The organisation the name resolved to.")
    transitive: bool
    role: str | None
    as_of: date | None = Field(description="The day applied (a year means 31 December).")
    total: int
    members: list[MembershipOut] = Field(
        description="Every membership; with `by_phase`, those of all phases, phase by phase."
    )
    phases: list[PhaseMembersOut] | None = Field(
        None, description="With `by_phase`: the members of each phase, in date order."
    )


class MembershipsOut(_Out):
    """What an entity belongs to, is a sub-organisation of, or took part in."""

    member: EntityRefOut = Field(description="The entity the name resolved to.")
    as_of: date | None
    total: int
    memberships: list[MembershipOut]


class CommonMembershipOut(_Out):
    """An organisation both entities belong to, with each one's membership."""

    organisation: str
    organisation_label: str
    first: MembershipOut
    second: MembershipOut


class CommonOut(_Out):
    """What two entities both belong to or took part in."""

    first: EntityRefOut
    second: EntityRefOut
    as_of: date | None
    total: int
    items: list[CommonMembershipOut]


class LinkOut(_Out):
    """One stated relationship between two neighbouring entities of a path."""

    relation: str
    key: str
    direction: Literal["forward", "backward"] = Field(
        description="`forward` when stated from the step's source to its target."
    )
    start: str | None
    end: str | None
    documents: list[CitationOut]


class PathStepOut(_Out):
    """From one entity to the next, with every relationship that links them."""

    source: str
    source_label: str
    target: str
    target_label: str
    links: list[LinkOut]


class PathEntityOut(_Out):
    """An entity along a path."""

    id: str
    label: str
    class_label: str = Field(validation_alias="class", description="Readable class name.")


class PathOut(_Out):
    """A path and its explanation."""

    length: int = Field(description="Number of steps.")
    hubs: list[str] = Field(
        description="Hub entities it passes through (the programme's phases, the regions...); "
        "`avoid_hubs=true` routes around them."
    )
    entities: list[PathEntityOut] = Field(description="The entities in order, ends included.")
    steps: list[PathStepOut]


class PathsOut(_Out):
    """How one entity is connected to another."""

    source: EntityRefOut
    target: EntityRefOut
    as_of: date | None
    total: int
    paths: list[PathOut] = Field(description="Shortest first.")


class RankedEntityOut(_Out):
    """One entity of a ranking; equal scores share a rank."""

    rank: int
    id: str
    iri: str
    label: str
    cls: str = Field(alias="class", description="Most specific class, compact.")
    class_label: str
    side: Literal["EU", "LAC"] | None = Field(
        description="Side of the Atlantic, read from the data; null for bi-regional or neutral."
    )
    score: float = Field(description="Distinct neighbours, or normalised betweenness.")


class RankingOut(_Out):
    """The most central entities by one measure."""

    by: Literal["degree", "betweenness", "brokerage"]
    classes: list[str]
    items: list[RankedEntityOut]


class CommunityMemberOut(_Out):
    id: str
    iri: str
    label: str
    cls: str = Field(alias="class", description="Most specific class, compact.")
    degree: int = Field(description="Distinct neighbours in the whole graph.")


class CommunityOut(_Out):
    """A group of entities more tied to each other than to the rest."""

    name: str = Field(description="Label of its best connected member.")
    size: int
    members: list[CommunityMemberOut] = Field(description="By degree, then label.")


class CommunitiesOut(_Out):
    """The Louvain communities of the graph, largest first."""

    seed: int
    total: int
    communities: list[CommunityOut]


class BridgeOut(_Out):
    """A stated relationship between an EU-side and a LAC-side entity."""

    source: str
    source_label: str
    source_side: Literal["EU", "LAC"]
    target: str
    target_label: str
    target_side: Literal["EU", "LAC"]
    relation: str
    key: str
    start: str | None
    end: str | None
    documents: list[str]
    passages: list[str]


class BridgingEntityOut(_Out):
    """An entity with neighbours on both sides."""

    id: str
    iri: str
    label: str
    cls: str = Field(alias="class", description="Most specific class, compact.")
    class_label: str
    side: Literal["EU", "LAC"] | None
    eu_neighbours: int = Field(description="Distinct neighbours on the EU side.")
    lac_neighbours: int = Field(description="Distinct neighbours on the LAC side.")


class BridgesOut(_Out):
    """Direct EU-LAC links, and the entities that meet both sides."""

    links: list[BridgeOut]
    entities: list[BridgingEntityOut]


class StatisticsOut(_Out):
    """What the graph holds; keys are compact IRIs."""

    quads: int = Field(description="Quads of the data, a triple counted once per graph.")
    distinct_triples: int
    entities: int
    relationships: int = Field(description="Distinct facts stated by some passage.")
    sources: int = Field(description="Registered source documents with passages.")
    passages: int
    entities_per_class: dict[str, int]
    relationships_per_property: dict[str, int]
    facts_per_source: dict[str, int]


class PassageOut(_Out):
    """A registered passage of a source document."""

    iri: str = Field(description="The passage's IRI, also the name of the graph of its facts.")
    start: int | None = Field(description="First character (from 0).")
    end: int | None = Field(description="Character just after the passage (exclusive).")
    fact_count: int = Field(description="Triples the passage states.")


class SourceSummaryOut(_Out):
    """A registered source document."""

    id: str = Field(description="Identifier, as in `/api/sources/{id}` (`doc-003`).")
    curie: str = Field(description="Compact form, as citations give it (`src:doc-003`).")
    iri: str
    label: str | None
    title: str | None
    language: str | None
    file_name: str | None
    sha256: str | None = Field(description="SHA-256 digest of the file, in hexadecimal.")
    character_count: int | None
    issued: str | None = Field(description="Publication date, if known.")
    publisher: str | None = Field(description="Identifier of the publishing entity, if known.")
    publisher_label: str | None
    fact_count: int = Field(description="Distinct facts its passages state.")
    passage_count: int


class SourcesOut(_Out):
    """Every registered source document."""

    total: int
    items: list[SourceSummaryOut]


class SourceOut(SourceSummaryOut):
    """A registered source document with its passages, in text order."""

    passages: list[PassageOut]
