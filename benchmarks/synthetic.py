"""Writes a synthetic PAcCTO Graph of a chosen size, in the project's ontology, as one TriG file.

``python benchmarks/synthetic.py --triples 100000 -o /tmp/syn-100k.trig`` writes about 100 000
quads that pass the project's validation (SHACL shapes and the provenance rule) on their own, so
benchmarks measure data shaped like the real graph rather than random triples:

* entity descriptions (type, English and sometimes Spanish label, acronym, description) in the
  graph ``<graph/entities>``;
* countries with ISO 3166-1 codes in regions, institutions of several classes ``basedIn`` a
  country with ``org:subOrganizationOf`` hierarchies, networks, committees, working groups and
  teams, programmes with phases and their periods, people holding posts, places and events with
  a date, venue, organiser and participants;
* memberships of institutions and countries in networks, committees and programme phases, with a
  role and, for some, an ``org:memberDuring`` interval (some of them expired);
* cooperation and support relations (``paccto:cooperatesWith`` and its sub-properties,
  ``paccto:supports``, ``paccto:helpedCreate`` ...) whose ends are drawn from a Zipf-like law, so
  a few hubs gather most edges, as the EU or a large network does in the real graph;
* source documents and passages: every fact sits in the graph of a passage registered in
  ``<graph/provenance>``; a passage states several facts, a document a few hundred.

The output is deterministic for a ``--seed`` and written as it is generated: only the entity
identifiers are kept in memory, never the triples (one million triples take about 5 s). The
proportions follow the issue's reference, one million triples for about 66 000 entities and
320 000 edges: with seed 0 the projection of 1 M triples has 63 210 nodes and 333 406 edges.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import TextIO

__all__ = ["Counts", "generate", "main", "plan_counts"]

PREFIXES = """\
@prefix id:     <id/> .
@prefix src:    <source/> .
@prefix paccto: <https://w3id.org/paccto-graph/ontology#> .
@prefix rdf:    <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix org:    <http://www.w3.org/ns/org#> .
@prefix prov:   <http://www.w3.org/ns/prov#> .
@prefix foaf:   <http://xmlns.com/foaf/0.1/> .
@prefix time:   <http://www.w3.org/2006/time#> .
@prefix oa:     <http://www.w3.org/ns/oa#> .
"""

ENTITIES = "<graph/entities>"
PROVENANCE = "<graph/provenance>"

#: ISO 3166-1 alpha-2 codes (officially assigned).
_ISO_CODES_TEXT = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
ISO_CODES = tuple(_ISO_CODES_TEXT.split())

REGIONS = (
    ("europe", "Europe", "Europa"),
    ("latin-america", "Latin America", "América Latina"),
    ("caribbean", "Caribbean", "Caribe"),
    ("africa", "Africa", "África"),
    ("asia", "Asia", "Asia"),
    ("oceania", "Oceania", "Oceanía"),
)

CRIME_AREAS = (
    ("drug-trafficking", "Drug trafficking", "Narcotráfico"),
    ("human-trafficking", "Human trafficking", "Trata de personas"),
    ("migrant-smuggling", "Migrant smuggling", "Tráfico ilícito de migrantes"),
    ("firearms-trafficking", "Firearms trafficking", "Tráfico de armas de fuego"),
    ("money-laundering", "Money laundering", "Blanqueo de capitales"),
    ("corruption", "Corruption", "Corrupción"),
    ("cybercrime", "Cybercrime", "Ciberdelincuencia"),
    ("environmental-crime", "Environmental crime", "Delitos medioambientales"),
    ("cultural-goods-trafficking", "Cultural goods trafficking", "Tráfico de bienes culturales"),
    ("illegal-mining", "Illegal mining", "Minería ilegal"),
    ("child-sexual-abuse", "Child sexual abuse", "Abuso sexual infantil"),
    ("counterfeiting", "Counterfeiting", "Falsificación"),
)

#: (local id, English label, Spanish label, used for phases?)
ROLES = (
    ("implementing-agency", "Implementing agency", "Agencia ejecutora", True),
    ("partner-agency", "European partner", "Socio europeo", True),
    ("beneficiary-country", "Beneficiary country", "País beneficiario", True),
    ("beneficiary-institution", "Beneficiary institution", "Institución beneficiaria", True),
    ("implementing-member-state", "Implementing EU member state", "Estado miembro ejecutor", True),
    ("member", "Member", "Miembro", False),
    ("observer", "Observer", "Observador", False),
    ("chair", "Chair", "Presidencia", False),
    ("secretariat", "Secretariat", "Secretaría", False),
)

#: (class, English kind, Spanish kind, relative frequency) of institutions.
INSTITUTION_KINDS = (
    ("paccto:Ministry", "Ministry of Security", "Ministerio de Seguridad", 6),
    ("paccto:Ministry", "Ministry of Justice", "Ministerio de Justicia", 6),
    ("paccto:Ministry", "Ministry of the Interior", "Ministerio del Interior", 4),
    ("paccto:Agency", "National Police", "Policía Nacional", 8),
    ("paccto:Agency", "Prison Service", "Servicio Penitenciario", 6),
    ("paccto:Agency", "Customs Agency", "Agencia de Aduanas", 4),
    ("paccto:Agency", "Financial Intelligence Unit", "Unidad de Inteligencia Financiera", 4),
    ("paccto:Institution", "Public Prosecution Service", "Ministerio Público", 8),
    ("paccto:Institution", "Supreme Court", "Corte Suprema", 3),
    ("paccto:Institution", "Judicial School", "Escuela Judicial", 3),
    ("paccto:Institution", "Prison Academy", "Academia Penitenciaria", 3),
    ("paccto:EUBody", "EU Delegation", "Delegación de la UE", 2),
    ("paccto:EUBody", "EU Agency", "Agencia de la UE", 1),
    ("paccto:InternationalOrganisation", "International Organisation", "Organización", 2),
)

EVENT_CLASSES = (
    ("paccto:Meeting", "Meeting", 10),
    ("paccto:Workshop", "Workshop", 6),
    ("paccto:Summit", "Summit", 1),
    ("paccto:Forum", "Forum", 2),
    ("paccto:Launch", "Launch", 1),
)

COOPERATION = (
    ("paccto:cooperatesWith", 10),
    ("paccto:consolidatesCollaborationWith", 2),
    ("paccto:holdsDialogueWith", 2),
    ("paccto:facilitatesCooperationWith", 2),
    ("paccto:counterpartOf", 1),
)
SUPPORT = (
    ("paccto:supports", 4),
    ("paccto:helpedCreate", 3),
    ("paccto:helpedInstitutionalise", 1),
    ("paccto:helpedImplement", 2),
)

_SYLLABLES_TEXT = (
    "ka ro vel mi na to sa ri lu pe da no ma ze ti quo bra fen gal hor is jun "
    "ker lim mon nur ost pla qui res sul tan ur vor wen xal yar zu an el or"
)
_SYLLABLES = tuple(_SYLLABLES_TEXT.split())


@dataclass(frozen=True)
class Counts:
    """How many entities of each kind a graph of ``triples`` triples holds."""

    triples: int
    countries: int
    institutions: int
    networks: int
    committees: int
    working_groups: int
    teams: int
    programmes: int
    persons: int
    places: int
    events: int


def plan_counts(triples: int) -> Counts:
    """Entity counts at the reference proportions (1 M triples ≈ 66 000 entities)."""
    nodes = max(triples * 0.066, 60.0)

    def share(fraction: float, least: int = 2) -> int:
        return max(least, round(nodes * fraction))

    return Counts(
        triples=triples,
        countries=min(len(ISO_CODES), share(0.004, 8)),
        institutions=share(0.57, 10),
        networks=share(0.035, 3),
        committees=share(0.015),
        working_groups=share(0.015),
        teams=share(0.01),
        programmes=share(0.003),
        persons=share(0.04),
        places=share(0.02),
        events=share(0.2, 4),
    )


class Skewed:
    """Draws from ``items`` with probability proportional to ``1 / rank ** alpha``.

    The ranks follow a seeded shuffle of the items, so the hubs are spread over the identifiers.
    """

    def __init__(self, items: Sequence[str], rng: random.Random, alpha: float) -> None:
        self.items = list(items)
        rng.shuffle(self.items)
        self.cumulative = list(accumulate((rank + 1) ** -alpha for rank in range(len(self.items))))
        self.total = self.cumulative[-1]
        self.rng = rng
        self.last = len(self.items) - 1

    def __call__(self) -> str:
        return self.items[min(bisect(self.cumulative, self.rng.random() * self.total), self.last)]


def _lit(text: str, language: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{language}' if language else f'"{escaped}"'


def _typed(text: str, datatype: str) -> str:
    return f'"{text}"^^{datatype}'


Triple = tuple[str, str, str]


class _Writer:
    """Writes graph blocks and counts the triples written."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.triples = 0
        out.write(PREFIXES)

    def block(self, graph: str, triples: Sequence[Triple]) -> None:
        if not triples:
            return
        lines = [f"{graph} {{"]
        lines.extend(f"    {s} {p} {o} ." for s, p, o in triples)
        lines.append("}\n")
        self.out.write("\n".join(lines))
        self.triples += len(triples)


class _Generator:
    def __init__(self, counts: Counts, seed: int, writer: _Writer) -> None:
        self.counts = counts
        self.rng = random.Random(seed)
        self.seed = seed
        self.writer = writer
        self.pending_entities: list[Triple] = []
        self.serial = 0
        self.structural_done = False

    # --- names --------------------------------------------------------------------------------

    def name(self) -> str:
        parts = self.rng.randint(2, 3)
        return "".join(self.rng.choice(_SYLLABLES) for _ in range(parts)).capitalize()

    def date(self, first: int = 2000, last: int = 2027) -> tuple[str, int]:
        """A random date literal (mostly xsd:date, sometimes less precise) and its year."""
        year = self.rng.randint(first, last)
        month = self.rng.randint(1, 12)
        kind = self.rng.random()
        if kind < 0.7:
            day = self.rng.randint(1, 28)
            return _typed(f"{year}-{month:02d}-{day:02d}", "xsd:date"), year
        if kind < 0.9:
            return _typed(f"{year}-{month:02d}", "xsd:gYearMonth"), year
        return _typed(str(year), "xsd:gYear"), year

    def describe(
        self,
        iri: str,
        cls: str,
        label: str,
        *,
        spanish: str | None = None,
        acronym: str | None = None,
        description: str | None = None,
    ) -> list[Triple]:
        triples = [(iri, "a", cls), (iri, "rdfs:label", _lit(label, "en"))]
        if spanish:
            triples.append((iri, "rdfs:label", _lit(spanish, "es")))
        if acronym:
            triples.append((iri, "skos:altLabel", _lit(acronym)))
        if description:
            triples.append((iri, "dcterms:description", _lit(description, "en")))
        return triples

    # --- entity descriptions ------------------------------------------------------------------

    def entities(self) -> None:
        """Describe every entity in ``<graph/entities>``; facts about them come later."""
        c = self.counts
        rng = self.rng
        out: list[Triple] = []

        def flush(force: bool = False) -> None:
            if force or len(out) >= 5000:
                self.writer.block(ENTITIES, out)
                out.clear()

        # vocabulary: schemes, roles, crime areas, a measure
        for scheme, label in (
            ("syn-participation-roles", "Participation roles (synthetic)"),
            ("syn-crime-areas", "Crime areas (synthetic)"),
            ("syn-measures", "Measures (synthetic)"),
        ):
            out += self.describe(f"id:{scheme}", "skos:ConceptScheme", label)
        self.roles_phase: list[str] = []
        self.roles_network: list[str] = []
        for local, label, spanish, for_phase in ROLES:
            iri = f"id:syn-role-{local}"
            out += self.describe(iri, "paccto:ParticipationRole", label, spanish=spanish)
            out += [
                (iri, "a", "org:Role"),
                (iri, "skos:inScheme", "id:syn-participation-roles"),
            ]
            (self.roles_phase if for_phase else self.roles_network).append(iri)
        self.crime_areas = []
        for local, label, spanish in CRIME_AREAS:
            iri = f"id:syn-{local}"
            out += self.describe(iri, "paccto:CrimeArea", label, spanish=spanish)
            out.append((iri, "skos:inScheme", "id:syn-crime-areas"))
            self.crime_areas.append(iri)
        self.measure = "id:syn-measure-members"
        out += self.describe(self.measure, "paccto:Measure", "Members")
        out.append((self.measure, "skos:inScheme", "id:syn-measures"))

        self.regions = [f"id:syn-region-{local}" for local, _, _ in REGIONS]
        for iri, (_, label, spanish) in zip(self.regions, REGIONS, strict=True):
            out += self.describe(iri, "paccto:Region", label, spanish=spanish)

        codes = sorted(rng.sample(ISO_CODES, c.countries))
        self.countries = [f"id:syn-country-{code.lower()}" for code in codes]
        self.country_names = {}
        for iri, code in zip(self.countries, codes, strict=True):
            name = self.name()
            self.country_names[iri] = name
            out += self.describe(iri, "paccto:Country", name, spanish=name, acronym=code)
            out.append((iri, "paccto:isoCode", _lit(code)))
        flush()

        kinds = INSTITUTION_KINDS
        kind_weights = list(accumulate(k[3] for k in kinds))
        self.institutions = []
        self.institution_country = []
        for n in range(c.institutions):
            cls, kind, kind_es, _ = rng.choices(kinds, cum_weights=kind_weights)[0]
            country = rng.choice(self.countries)
            name = self.country_names[country]
            iri = f"id:syn-inst-{n}"
            acronym = "".join(w[0] for w in kind.split() if w[0].isupper()) + f"-{n}"
            out += self.describe(
                iri,
                cls,
                f"{kind} of {name} {n}",
                spanish=f"{kind_es} de {name} {n}" if rng.random() < 0.6 else None,
                acronym=acronym if rng.random() < 0.5 else None,
                description=(
                    f"Synthetic {kind.lower()} number {n}." if rng.random() < 0.3 else None
                ),
            )
            self.institutions.append(iri)
            self.institution_country.append(country)
            flush()

        def groups(prefix: str, cls: str, kind: str, kind_es: str, count: int) -> list[str]:
            made = []
            for n in range(count):
                iri = f"id:syn-{prefix}-{n}"
                name = self.name()
                out.extend(
                    self.describe(
                        iri,
                        cls,
                        f"{kind} {name} {n}",
                        spanish=f"{kind_es} {name} {n}" if rng.random() < 0.5 else None,
                        acronym=name.upper()[:5] + str(n) if rng.random() < 0.5 else None,
                    )
                )
                made.append(iri)
                flush()
            return made

        self.networks = groups("network", "paccto:Network", "Network", "Red", c.networks)
        self.committees = groups(
            "committee", "paccto:Committee", "Committee", "Comité", c.committees
        )
        self.working_groups = groups(
            "wg", "paccto:WorkingGroup", "Working group", "Grupo de trabajo", c.working_groups
        )
        self.teams = groups("team", "paccto:Team", "Team", "Equipo", c.teams)
        self.programmes = groups(
            "programme", "paccto:Programme", "Programme", "Programa", c.programmes
        )
        self.phases: list[tuple[str, str, str]] = []  # phase, programme, period
        for n, programme in enumerate(self.programmes):
            for number in range(1, rng.randint(1, 3) + 1):
                phase = f"{programme}-phase-{number}"
                period = f"{phase}-period"
                label = f"Programme {n} phase {number}"
                out += self.describe(phase, "paccto:ProgrammePhase", label)
                out += self.describe(period, "time:ProperInterval", f"Period of {label.lower()}")
                self.phases.append((phase, programme, period))
            flush()
        self.persons = groups("person", "foaf:Person", "Person", "Persona", c.persons)
        self.posts = groups("post", "org:Post", "Post", "Cargo", c.persons)
        self.places = groups("place", "paccto:Place", "City", "Ciudad", c.places)
        self.events = []
        event_weights = list(accumulate(e[2] for e in EVENT_CLASSES))
        for n in range(c.events):
            cls, kind, _ = rng.choices(EVENT_CLASSES, cum_weights=event_weights)[0]
            iri = f"id:syn-event-{n}"
            out += self.describe(iri, cls, f"{kind} {self.name()} {n}")
            self.events.append(iri)
            flush()
        flush(force=True)

        # who is drawn how often: a few hubs, a long tail
        self.actors = Skewed(
            self.institutions + self.networks + self.committees + self.countries, rng, 0.8
        )
        self.organisations = Skewed(
            self.networks + self.committees + self.working_groups + self.teams, rng, 0.9
        )
        self.members = Skewed(self.institutions + self.countries, rng, 0.6)
        self.supporters = Skewed(
            [phase for phase, _, _ in self.phases]
            + self.institutions[: max(5, c.institutions // 50)],
            rng,
            1.0,
        )
        self.supported = Skewed(
            self.networks + self.committees + self.working_groups + self.teams + self.institutions,
            rng,
            0.5,
        )

    # --- facts --------------------------------------------------------------------------------

    def structural_units(self) -> Iterator[list[Triple]]:
        """Facts every entity needs to be valid and connected: where it is, what it is part of."""
        rng = self.rng
        for n, country in enumerate(self.countries):
            yield [(country, "paccto:partOfRegion", self.regions[n % len(self.regions)])]
        for n, institution in enumerate(self.institutions):
            unit = [(institution, "paccto:basedIn", self.institution_country[n])]
            if n and rng.random() < 0.3:
                # a tree: parents come before children, so hierarchies are a few levels deep
                parent = self.institutions[rng.randrange(max(1, n // 4), n) if n > 4 else 0]
                unit.append((institution, "org:subOrganizationOf", parent))
            if rng.random() < 0.1:
                unit.append((institution, "paccto:foundingDate", self.date(1950, 2020)[0]))
            yield unit
        for committee in self.committees:
            yield [(committee, "org:subOrganizationOf", rng.choice(self.institutions))]
        for group in self.working_groups + self.teams:
            parent = rng.choice(self.networks + self.committees)
            yield [(group, "org:subOrganizationOf", parent)]
        for network in self.networks:
            if rng.random() < 0.5:
                yield [(network, "paccto:fundedBy", self.supporters())]
        for programme in self.programmes:
            unit = [(programme, "paccto:fundedBy", rng.choice(self.institutions[:20]))]
            unit += [(programme, "paccto:focusesOn", a) for a in rng.sample(self.crime_areas, 2)]
            yield unit
        for phase, programme, period in self.phases:
            start = rng.randint(2005, 2024)
            unit = [
                (phase, "paccto:phaseOf", programme),
                (phase, "dcterms:temporal", period),
                (
                    phase,
                    "paccto:budgetEUR",
                    _typed(str(rng.randint(1, 90) * 100000), "xsd:decimal"),
                ),
                (period, "paccto:startDate", _typed(str(start), "xsd:gYear")),
                (period, "paccto:endDate", _typed(str(start + rng.randint(2, 5)), "xsd:gYear")),
            ]
            yield unit
        for person, post in zip(self.persons, self.posts, strict=True):
            yield [(post, "org:postIn", self.actors()), (person, "org:holds", post)]
        for place in self.places:
            yield [(place, "paccto:locatedIn", rng.choice(self.countries))]
        for event in self.events:
            unit = [
                (event, "paccto:date", self.date(2010, 2026)[0]),
                (event, "paccto:venue", rng.choice(self.places)),
                (event, "paccto:organisedBy", self.actors()),
            ]
            participants = {self.actors() for _ in range(rng.randint(2, 6))}
            unit += [(event, "paccto:participant", p) for p in sorted(participants)]
            if rng.random() < 0.3:
                unit.append((event, "paccto:about", rng.choice(self.crime_areas)))
            yield unit

    def membership(self) -> list[Triple]:
        rng = self.rng
        self.serial += 1
        iri = f"id:syn-membership-{self.serial}"
        if rng.random() < 0.25 and self.phases:
            phase, _, period = rng.choice(self.phases)
            organisation, role = phase, rng.choice(self.roles_phase)
            during: str | None = period if rng.random() < 0.8 else None
            own_interval = False
        else:
            organisation, role = self.organisations(), rng.choice(self.roles_network)
            own_interval = rng.random() < 0.4
            during = f"{iri}-period" if own_interval else None
        member = self.members()
        unit = [
            (iri, "org:member", member),
            (iri, "org:organization", organisation),
            (iri, "org:role", role),
        ]
        self.pending_entities += self.describe(
            iri, "org:Membership", f"Membership {self.serial} of {member[3:]} in {organisation[3:]}"
        )
        if during:
            unit.append((iri, "org:memberDuring", during))
        if own_interval and during:
            start, year = self.date(2005, 2024)
            unit.append((during, "paccto:startDate", start))
            if rng.random() < 0.6:  # most have ended, many before today
                unit.append((during, "paccto:endDate", self.date(year + 1, year + 8)[0]))
            self.pending_entities += self.describe(
                during, "time:ProperInterval", f"Period of membership {self.serial}"
            )
        return unit

    def indicator(self) -> list[Triple]:
        self.serial += 1
        iri = f"id:syn-indicator-{self.serial}"
        self.pending_entities += self.describe(
            iri, "paccto:Indicator", f"Members of an organisation ({self.serial})"
        )
        return [
            (iri, "paccto:indicatorOf", self.organisations()),
            (iri, "paccto:measure", self.measure),
            (iri, "paccto:value", _typed(str(self.rng.randint(2, 60)), "xsd:decimal")),
            (iri, "paccto:date", self.date(2015, 2025)[0]),
        ]

    def quotation(self) -> list[Triple]:
        rng = self.rng
        self.serial += 1
        iri = f"id:syn-quote-{self.serial}"
        self.pending_entities += self.describe(iri, "paccto:Quotation", f"Words ({self.serial})")
        return [
            (iri, "paccto:speaker", rng.choice(self.persons)),
            (iri, "paccto:speaksFor", self.actors()),
            (iri, "paccto:quotedAt", rng.choice(self.events)),
            (iri, "paccto:about", rng.choice(self.crime_areas)),
            (iri, "paccto:date", self.date(2015, 2025)[0]),
        ]

    def relation_units(self) -> Iterator[list[Triple]]:
        """Endless cooperation, support and membership facts with heavy-tailed degrees."""
        rng = self.rng
        cooperation = [p for p, _ in COOPERATION]
        cooperation_weights = list(accumulate(w for _, w in COOPERATION))
        support = [p for p, _ in SUPPORT]
        support_weights = list(accumulate(w for _, w in SUPPORT))
        influences = ("paccto:inspiredBy", "paccto:buildsOn")

        def pair(first: Skewed, second: Skewed) -> tuple[str, str]:
            subject, obj = first(), second()
            while obj == subject:
                obj = second()
            return subject, obj

        def cooperate() -> list[Triple]:
            predicate = rng.choices(cooperation, cum_weights=cooperation_weights)[0]
            subject, obj = pair(self.actors, self.actors)
            return [(subject, predicate, obj)]

        def supports() -> list[Triple]:
            predicate = rng.choices(support, cum_weights=support_weights)[0]
            subject, obj = pair(self.supporters, self.supported)
            return [(subject, predicate, obj)]

        def influence() -> list[Triple]:
            subject, obj = pair(self.supported, self.supported)
            return [(subject, rng.choice(influences), obj)]

        def focus() -> list[Triple]:
            return [(self.actors(), "paccto:focusesOn", rng.choice(self.crime_areas))]

        def support_event() -> list[Triple]:
            return [(self.supporters(), "paccto:supportedEvent", rng.choice(self.events))]

        def holds() -> list[Triple]:
            return [(rng.choice(self.persons), "org:holds", rng.choice(self.posts))]

        makers: list[tuple[Callable[[], list[Triple]], float]] = [
            (cooperate, 0.52),
            (supports, 0.14),
            (self.membership, 0.17),
            (influence, 0.04),
            (focus, 0.05),
            (support_event, 0.03),
            (self.indicator, 0.015),
            (self.quotation, 0.015),
            (holds, 0.02),
        ]
        functions = [m for m, _ in makers]
        weights = list(accumulate(w for _, w in makers))
        while True:
            yield rng.choices(functions, cum_weights=weights)[0]()

    # --- documents and passages ---------------------------------------------------------------

    def documents(self) -> None:
        """Pack fact units into passages and passages into documents until the budget is spent."""
        rng = self.rng
        target = self.counts.triples
        units = self._units()
        number = 0
        exhausted = False
        # the structural facts are written whatever the budget: without them the data is invalid
        while not exhausted and (self.writer.triples < target or not self.structural_done):
            number += 1
            doc_id = f"syn-doc-{number:06d}"
            document = f"src:{doc_id}"
            facts_wanted = rng.randint(150, 450)
            cursor = rng.randint(0, 300)
            provenance: list[Triple] = []
            passages: list[tuple[str, list[Triple]]] = []
            written = self.writer.triples + 8  # what this document will have added
            facts = 0
            while facts < facts_wanted and (written < target or not self.structural_done):
                passage_facts: list[Triple] = []
                size = rng.randint(3, 15)
                while len(passage_facts) < size:
                    unit = next(units, None)
                    if unit is None:
                        exhausted = True
                        break
                    passage_facts += unit
                if not passage_facts:
                    break
                start = cursor + rng.randint(0, 40)
                end = start + rng.randint(60, 600)
                cursor = end
                passage = f"<passage/{doc_id}/{start}-{end}>"
                provenance += [
                    (passage, "a", "paccto:Passage"),
                    (passage, "rdfs:label", _lit(f"{doc_id} [{start}, {end})", "en")),
                    (passage, "prov:wasDerivedFrom", document),
                    (passage, "oa:start", str(start)),
                    (passage, "oa:end", str(end)),
                ]
                passages.append((passage, passage_facts))
                facts += len(passage_facts)
                written = (
                    self.writer.triples + 8 + len(provenance) + facts + len(self.pending_entities)
                )
                if exhausted:
                    break
            if not passages:
                break
            digest = hashlib.sha256(f"{self.seed}/{doc_id}".encode()).hexdigest()
            issued = _typed(
                f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "xsd:date",
            )
            header = [
                (document, "a", "paccto:SourceDocument"),
                (document, "rdfs:label", _lit(f"Synthetic source document {number}", "en")),
                (document, "dcterms:title", _lit(f"Synthetic report {number}", "en")),
                (document, "paccto:fileName", _lit(f"{doc_id}.txt")),
                (document, "paccto:sha256", _typed(digest, "xsd:hexBinary")),
                (document, "paccto:characterCount", str(cursor + rng.randint(0, 500))),
                (document, "dcterms:issued", issued),
                (document, "dcterms:language", _lit("en")),
            ]
            self.writer.block(PROVENANCE, header + provenance)
            for passage, passage_facts in passages:
                self.writer.block(passage, passage_facts)
            self.writer.block(ENTITIES, self.pending_entities)
            self.pending_entities = []

    def _units(self) -> Iterator[list[Triple]]:
        yield from self.structural_units()
        self.structural_done = True
        yield from self.relation_units()


def generate(triples: int, out: TextIO, *, seed: int = 0) -> int:
    """Write a synthetic graph of about ``triples`` quads to ``out``; return how many were written.

    The structural facts every entity needs are written whatever the size, so a very small
    ``triples`` (below about 2 000) may be exceeded.
    """
    writer = _Writer(out)
    generator = _Generator(plan_counts(triples), seed, writer)
    generator.entities()
    generator.documents()
    return writer.triples


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=100_000, help="about how many quads")
    parser.add_argument("--seed", type=int, default=0, help="random seed (output is deterministic)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="the .trig file to write")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8", buffering=1 << 20) as out:
        written = generate(args.triples, out, seed=args.seed)
    elapsed = time.perf_counter() - started
    print(
        f"wrote {written} triples to {args.output} in {elapsed:.1f} s "
        f"({args.output.stat().st_size / 1e6:.1f} MB, seed {args.seed})",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
