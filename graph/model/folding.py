"""The folding rules: how RDF nodes and statements become the projection's nodes, edges and
attributes.

One table, read by everything that has to agree on them: the projection that folds a loaded
dataset (:mod:`paccto.graph.model.projection`), and the ``sparql:URL`` store, which fetches the
part of a server's graph a question needs and must know which nodes are folded into their
neighbours to fetch them whole, and which statements are edges to count degrees over. A rule
written twice would let a store answer differently from the projection it stands in for.
"""

from __future__ import annotations

from rdflib import RDF, RDFS, SKOS
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, TIME

from paccto.ontology.namespace import PACCTO

__all__ = [
    "ATTRIBUTES",
    "COLLAPSED_CLASSES",
    "DESCRIPTIVE_ATTRIBUTES",
    "FOLDED_CLASSES",
    "MEMBER_OF",
    "NAME_KINDS",
    "NON_EDGE_PREDICATES",
    "PERIOD_LINKS",
    "QUOTATION_LINKS",
    "QUOTATION_SPEAKERS",
    "RELATION_LABELS",
    "SUB_ORGANISATION_OF",
]

#: Edge key and predicate of a folded membership (ORG's own shortcut property).
MEMBER_OF = "org:memberOf"
#: Edge key of a sub-organisation link, which membership questions follow too.
SUB_ORGANISATION_OF = "org:subOrganizationOf"

#: Nodes that exist only to hold a many-sided relationship or a dated value: each is folded
#: into its neighbours (a membership into one ``member of`` edge with role and dates, a
#: quotation into edges from its speaker, an indicator into an attribute of what it measures,
#: a period into the dates of what points to it), so its whole description is needed with it.
COLLAPSED_CLASSES = frozenset(
    {ORG.Membership, PACCTO.Quotation, PACCTO.Indicator, TIME.ProperInterval}
)

#: Classes whose instances are never nodes: the collapsed ones, vocabulary (roles, measures,
#: schemes) and provenance records.
FOLDED_CLASSES = COLLAPSED_CLASSES | {
    PACCTO.Measure,
    PACCTO.ParticipationRole,
    ORG.Role,
    SKOS.ConceptScheme,
    PACCTO.SourceDocument,
    PACCTO.Passage,
    PROV.Organization,
    PROV.Agent,
    PROV.Entity,
}

#: Predicates whose object is a period lending its dates to the subject.
PERIOD_LINKS = (DCTERMS.temporal, ORG.memberDuring)

#: Naming predicates and the kind of name each gives (``search``: matched but never shown).
NAME_KINDS = {
    RDFS.label: "label",
    SKOS.prefLabel: "label",
    SKOS.altLabel: "alias",
    SKOS.hiddenLabel: "search",
}

#: Literals of the entity descriptions' graph kept as node attributes, under these names.
DESCRIPTIVE_ATTRIBUTES = {
    DCTERMS.description: "description",
    PACCTO.isoCode: "iso_code",
    FOAF.name: "name",
}

#: Literal-valued facts kept as node attributes, under these names.
ATTRIBUTES = {
    PACCTO.startDate: "start",
    PACCTO.endDate: "end",
    PACCTO.date: "date",
    PACCTO.foundingDate: "founding_date",
    PACCTO.budgetEUR: "budget_eur",
    PACCTO.plannedDuration: "planned_duration",
    PACCTO.isoCode: "iso_code",
    DCTERMS.description: "description",
    FOAF.name: "name",
}

#: Who a quotation's edges start from: its speaker, else the post the speaker held.
QUOTATION_SPEAKERS = (PACCTO.speaker, PACCTO.speakerPost)

#: A quotation's links to entities, each drawn as an edge from the speaker with this relation.
QUOTATION_LINKS = {
    PACCTO.speaksFor: "quoted speaking for",
    PACCTO.quotedAt: "quoted at",
    PACCTO.about: "quoted about",
}

#: Predicates that never make an edge, whatever their object: types, names, period links and
#: descriptions.
NON_EDGE_PREDICATES = frozenset(
    {RDF.type, *NAME_KINDS, DCTERMS.temporal, DCTERMS.description, PACCTO.isoCode}
)

#: Readable names of predicates the ontology does not declare itself.
RELATION_LABELS = {
    ORG.holds: "holds post",
    ORG.postIn: "post in",
    ORG.subOrganizationOf: "sub-organisation of",
    ORG.memberOf: "member of",
    DCTERMS.isPartOf: "part of",
    DCTERMS.publisher: "publisher",
}
