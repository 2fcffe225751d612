"""Terms of the PAcCTO Graph ontology as Python attributes.

A mistyped term raises at once (``_fail = True``) instead of producing an IRI that matches nothing;
``tests/ontology/test_namespace.py`` keeps this list and ``paccto.ttl`` in step.
"""

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

__all__ = ["ONTOLOGY_IRI", "PACCTO"]

ONTOLOGY_IRI = URIRef("https://w3id.org/paccto-graph/ontology")


class PACCTO(DefinedNamespace):
    """The classes and properties declared in ``ontology/paccto.ttl``."""

    _fail = True
    _NS = Namespace("https://w3id.org/paccto-graph/ontology#")

    # classes
    Agency: URIRef
    Agreement: URIRef
    Bloc: URIRef
    Committee: URIRef
    Component: URIRef
    CooperationMechanism: URIRef
    CouncilPresidency: URIRef
    Country: URIRef
    CrimeArea: URIRef
    EUBody: URIRef
    Event: URIRef
    Forum: URIRef
    Indicator: URIRef
    Initiative: URIRef
    Institution: URIRef
    Instrument: URIRef
    InternationalOrganisation: URIRef
    Launch: URIRef
    Measure: URIRef
    Meeting: URIRef
    Ministry: URIRef
    Network: URIRef
    ParticipationRole: URIRef
    Passage: URIRef
    Place: URIRef
    Plan: URIRef
    PolicyCycle: URIRef
    Programme: URIRef
    ProgrammePhase: URIRef
    Quotation: URIRef
    Region: URIRef
    SourceDocument: URIRef
    Summit: URIRef
    SustainableDevelopmentGoal: URIRef
    Team: URIRef
    Topic: URIRef
    WorkingGroup: URIRef
    Workshop: URIRef

    # properties
    about: URIRef
    adoptedBy: URIRef
    adoptedUnder: URIRef
    affectedBy: URIRef
    basedIn: URIRef
    budgetEUR: URIRef
    buildsOn: URIRef
    characterCount: URIRef
    closes: URIRef
    connects: URIRef
    consolidatesCollaborationWith: URIRef
    contributesTo: URIRef
    cooperatesWith: URIRef
    counterpartOf: URIRef
    date: URIRef
    eligibilityUnder: URIRef
    endDate: URIRef
    facilitatesCooperationWith: URIRef
    fileName: URIRef
    focusesOn: URIRef
    foundingDate: URIRef
    fundedBy: URIRef
    geographicScope: URIRef
    hasComponent: URIRef
    heldByCountry: URIRef
    helpedCreate: URIRef
    helpedImplement: URIRef
    helpedInstitutionalise: URIRef
    holdsDialogueWith: URIRef
    indicatorOf: URIRef
    inspiredBy: URIRef
    isoCode: URIRef
    launches: URIRef
    locatedIn: URIRef
    measure: URIRef
    organisedBy: URIRef
    organisedUnder: URIRef
    partOfEvent: URIRef
    partOfRegion: URIRef
    participant: URIRef
    phaseOf: URIRef
    plannedDuration: URIRef
    presidencyOf: URIRef
    quotedAt: URIRef
    reflectedIn: URIRef
    sha256: URIRef
    speaker: URIRef
    speakerPost: URIRef
    speaksFor: URIRef
    startDate: URIRef
    supportedEvent: URIRef
    supports: URIRef
    value: URIRef
    venue: URIRef
