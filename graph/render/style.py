"""How a kind of entity looks in a drawing: one colour and one shape per family of classes.

The graph has some thirty classes; thirty colours cannot be told apart, so classes are grouped
into families a reader already thinks in (places, networks, institutions, the programme,
people, events, crime areas), each with a colour that stays distinguishable for the common
forms of colour blindness (Okabe-Ito palette) and a shape, so print in black and white still
works. The interactive view and the static image take their looks from here, so a legend in a
report means the same in both.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FAMILIES", "OTHER", "Family", "family_of"]


@dataclass(frozen=True)
class Family:
    """A family of classes and how its entities are drawn.

    ``shape`` is a vis-network node shape; ``marker`` the matplotlib marker of the same shape.
    """

    name: str
    colour: str
    shape: str
    marker: str
    classes: frozenset[str]


FAMILIES: tuple[Family, ...] = (
    Family(
        "Country or region",
        "#0072B2",
        "dot",
        "o",
        frozenset({"paccto:Country", "paccto:Region", "paccto:Bloc", "paccto:Place"}),
    ),
    Family(
        "Network or committee",
        "#E69F00",
        "diamond",
        "D",
        frozenset(
            {
                "paccto:Network",
                "paccto:Committee",
                "paccto:CooperationMechanism",
                "paccto:WorkingGroup",
                "paccto:Forum",
                "paccto:Team",
            }
        ),
    ),
    Family(
        "Institution",
        "#CC79A7",
        "square",
        "s",
        frozenset(
            {
                "paccto:EUBody",
                "paccto:Agency",
                "paccto:InternationalOrganisation",
                "paccto:Ministry",
                "paccto:Institution",
                "org:Organization",
                "org:FormalOrganization",
            }
        ),
    ),
    Family(
        "Programme or policy",
        "#009E73",
        "triangle",
        "^",
        frozenset(
            {
                "paccto:Programme",
                "paccto:ProgrammePhase",
                "paccto:Component",
                "paccto:Initiative",
                "paccto:Instrument",
                "paccto:Plan",
                "paccto:Agreement",
                "paccto:PolicyCycle",
                "paccto:CouncilPresidency",
            }
        ),
    ),
    Family("Person or post", "#D55E00", "star", "*", frozenset({"foaf:Person", "org:Post"})),
    Family(
        "Event",
        "#56B4E9",
        "triangleDown",
        "v",
        frozenset(
            {"paccto:Meeting", "paccto:Summit", "paccto:Workshop", "paccto:Launch", "paccto:Event"}
        ),
    ),
    Family(
        "Crime area or topic",
        "#F0E442",
        "hexagon",
        "h",
        frozenset({"paccto:CrimeArea", "paccto:Topic", "paccto:SustainableDevelopmentGoal"}),
    ),
)

#: Classes a user's own data brings that no family names: drawn plainly, still in the legend.
OTHER = Family("Other", "#999999", "dot", "o", frozenset())

_BY_CLASS = {cls: family for family in FAMILIES for cls in family.classes}


def family_of(cls: str) -> Family:
    """The family of a compact class name (``paccto:Country``)."""
    return _BY_CLASS.get(cls, OTHER)
