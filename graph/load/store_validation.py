"""Checks a pyoxigraph store against the SHACL shapes and the provenance rules, by SPARQL alone.

:mod:`paccto.graph.load.validation` copies the data into an rdflib graph and hands it to pySHACL,
which takes minutes on a million triples. A store already holds the data, indexed: its default
graph is the RDF merge of the data graphs (what pySHACL is given there), and its named graphs are
the graphs as loaded. So this module compiles ``ontology/shapes.ttl`` into SPARQL queries, runs
them in the store on a few threads (pyoxigraph lets go of the GIL while it evaluates), and reads
back only the rows that are problems. ``shapes.ttl`` stays the single rule book: the queries are
made from it at run time, and a shape using a SHACL feature the compiler does not know is refused
with :class:`UnsupportedShapeError`, so no rule can be added that would go unchecked here.

The answers are pySHACL's (``validation.validate`` with every shape left to pySHACL), field by
field: what pySHACL puts in ``sh:focusNode``, ``sh:resultPath``, ``sh:value``, ``sh:sourceShape``
and ``sh:resultMessage``, including its default messages for shapes that give none. The queries
are written for Oxigraph's evaluator, whose cost is per row and higher for a row whose term it
must read (a FILTER) than for one it only hashes (a join, MINUS, DISTINCT):

* a value is tested where the property's triples are scanned, and only the failures are matched
  with the shape's targets (``FILTER EXISTS``);
* targets are enumerated whole only by the checks that need every focus node (``sh:minCount``,
  ``sh:qualifiedMinCount``, constraints on the focus node itself), one query per target, a
  SPARQL target split into the branches of its ``UNION``, its filters on ``?this`` applied after
  the anti-join that leaves few rows;
* ``sh:maxCount`` queries run only for the properties that one first query finds repeated on some
  subject, and ``sh:datatype`` asks rdflib only about the distinct literals of the datatype among
  the tested properties' values (for numeric datatypes, only those Oxigraph could not read);
* a shape's ``sh:minCount 1`` and its sibling ``sh:qualifiedMinCount 1`` on the same property
  (a label, an English label) share one enumeration of the targets.

Known differences from pySHACL, all on data the shapes refuse anyway:

* Oxigraph stores a valid typed literal in canonical form, so ``"05"^^xsd:integer`` and
  ``"5"^^xsd:integer`` are one term there (two in rdflib, for ``sh:maxCount``), and a reported
  value shows the canonical lexical form;
* ``sh:minInclusive`` and ``sh:lessThan`` compare as SPARQL does: a literal Oxigraph cannot read
  (``" 7 "^^xsd:integer``, which rdflib reads as 7) compares as nothing, so it fails; pySHACL
  stops with an error on a blank node compared by ``sh:lessThan``, where this reports it;
* ``sh:pattern`` runs on Oxigraph's regular expressions, in which ``$`` matches only at the end
  (Python's also before a final newline);
* blank node identifiers are the store's, not rdflib's, and pySHACL's default messages describe a
  blank node by its triples where this shows ``_:id`` (``shapes.ttl`` gives every shape that can
  report a message of its own).
"""

from __future__ import annotations

import os
import re
import threading
import time as clock
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache, partial
from itertools import combinations

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV
from rdflib.term import Node

from paccto.graph.errors import Violation
from paccto.graph.load.validation import (
    DESCRIPTIVE_PREDICATES,
    OA,
    PROVENANCE_RULE,
    SH,
    SPAN_RULE,
    _shapes,
    _text,
    shape_name_in,
)
from paccto.graph.model.identifiers import Identifiers
from paccto.ontology.namespace import PACCTO

__all__ = [
    "CompiledShapes",
    "UnsupportedShapeError",
    "compile_shapes",
    "store_shacl_violations",
    "store_violations",
]


class UnsupportedShapeError(ValueError):
    """The shapes use a SHACL feature that :func:`compile_shapes` cannot turn into SPARQL.

    Raised when compiling rather than ignored, so that a rule added to ``shapes.ttl`` is either
    checked on the store or refused at once.
    """


# --------------------------------------------------------------------------------------------
# What the compiler knows
# --------------------------------------------------------------------------------------------

#: Parameters of a shape that the compiler turns into SPARQL or reads for the report.
_KNOWN_PARAMETERS = frozenset(
    {
        # targets
        SH.targetClass,
        SH.targetSubjectsOf,
        SH.target,
        # shapes and what their results say
        SH.property,
        SH.path,
        SH.message,
        SH.severity,
        SH.deactivated,
        # non-validating documentation of a shape
        SH.name,
        SH.description,
        SH.order,
        SH.group,
        # constraint components
        SH.minCount,
        SH.maxCount,
        SH.nodeKind,
        SH["class"],
        SH.datatype,
        SH.pattern,
        SH.flags,
        SH.minInclusive,
        SH.lessThan,
        SH.languageIn,
        SH.qualifiedValueShape,
        SH.qualifiedMinCount,
        SH.qualifiedMaxCount,
        SH.qualifiedValueShapesDisjoint,
        SH.node,
        SH["or"],
        # SPARQL targets and the prefixes they declare
        SH.select,
        SH.prefixes,
        SH.declare,
        SH.prefix,
        SH.namespace,
    }
)
_KNOWN_TYPES = frozenset({SH.NodeShape, SH.PropertyShape, SH.SPARQLTarget, SH.PrefixDeclaration})
#: Parameters that only a property shape (one with an ``sh:path``) may have.
_PROPERTY_ONLY = (
    SH.minCount,
    SH.maxCount,
    SH.lessThan,
    SH.qualifiedValueShape,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
)
_NODE_KINDS: Mapping[URIRef, str] = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isIRI({v}) || isBlank({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
#: What rdflib's value of a literal must be for pySHACL to accept it as of the datatype
#: (``DatatypeConstraintComponent._assert_actual_datatype``); other datatypes need only be
#: well-typed.
_PYTHON_TYPES: Mapping[URIRef, type | tuple[type, ...]] = {
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.date: date,
    XSD.time: time,
    XSD.dateTime: datetime,
}
#: Datatypes whose test needs no look at the literals: pySHACL accepts any value of them.
_STATIC_DATATYPES = frozenset({XSD.string, RDF.langString, RDFS.Literal, RDFS.Datatype})

#: Placeholders for facts about the data, filled in at run time: the subclasses of a class,
#: and the literals of a datatype that rdflib finds ill-typed.
_FACT = re.compile("\ue000(class|bad) ([^\ue001]*)\ue001")
#: Variables of the generated queries start so; the SPARQL targets must not use such names.
_VAR = "__"
#: A LIMIT no result reaches, to fence a subquery off from the optimiser's filter push-down.
_NO_LIMIT = 2**62
#: Datatypes of which every literal Oxigraph reads as a number, rdflib reads too (and as the
#: Python type pySHACL wants): only literals that are not numbers to Oxigraph need rdflib.
_NUMERIC = frozenset({XSD.integer, XSD.decimal, XSD.float, XSD.double})
#: How many queries run at once: Oxigraph evaluates each on one core.
_THREADS = max(1, min(4, os.cpu_count() or 1))


def _iri(node: Node) -> str:
    return f"<{node}>"


def _string(text: str) -> str:
    """A SPARQL string literal holding ``text`` exactly."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"'


def _term(node: Node) -> str:
    """An rdflib term (an IRI or a literal of the shapes graph) written in SPARQL."""
    if isinstance(node, URIRef):
        return _iri(node)
    if isinstance(node, Literal):
        return node.n3()
    raise UnsupportedShapeError(f"a blank node cannot be written in a query: {node!r}")


def _severity(node: Node) -> str:
    return str(node).rsplit("#", 1)[-1]


# --------------------------------------------------------------------------------------------
# The compiled form
# --------------------------------------------------------------------------------------------

Solution = ox.QuerySolution
#: Makes pySHACL's default message from the focus node and the value node.
_MessageMaker = Callable[[Node, Node | None], str]


@dataclass(frozen=True)
class _Result:
    """What each row of a query reports: the fields pySHACL writes in one validation result."""

    shape: str | None
    path: URIRef | None
    severity: str
    message: str | _MessageMaker
    #: The column holding ``sh:value`` (``this`` when it is the focus node), or None.
    value: str | None


@dataclass(frozen=True)
class _Query:
    """One SELECT; each row is a result of each of ``results`` whose column is not true.

    The column lets one query answer two checks, one finding a subset of the other's problems.
    """

    label: str
    text: str
    results: tuple[tuple[_Result, str | None], ...]
    #: Queries that enumerate large target sets go first, so that the threads finish together.
    weight: int = 1
    #: A sh:maxCount query runs only if some subject has two values of this property.
    repeats: URIRef | None = None


@dataclass(frozen=True)
class CompiledShapes:
    """A shapes graph turned into SPARQL over the data graph, ready for :func:`store_violations`.

    Attributes
    ----------
    queries
        The checks, each a SELECT over the default graph; facts about the data (subclasses,
        ill-typed literals) are filled into their text before they run.
    prefixes
        ``PREFIX`` lines the SPARQL targets need (the generated parts write full IRIs).
    classes
        Classes whose subclasses in the data are needed (class targets and ``sh:class``).
    datatypes
        Datatypes whose literals must be checked by rdflib, each with the properties whose
        values are tested (None: any property).
    repeatable
        Properties under ``sh:maxCount``: those that never repeat on a subject need no query.
    """

    queries: tuple[_Query, ...]
    prefixes: str
    classes: frozenset[URIRef]
    datatypes: Mapping[URIRef, frozenset[URIRef] | None]
    #: Properties limited by sh:maxCount: one query first finds which ever repeat on a subject.
    repeatable: frozenset[URIRef] = frozenset()


@dataclass(frozen=True)
class _Target:
    """One way a shape picks focus nodes: a group pattern binding ``?this``.

    ``late`` holds filters on ``?this`` alone taken out of ``core``: a query removing focus
    nodes by an anti-join applies them after it, to the few rows left, rather than letting
    Oxigraph test every row of ``core`` (``isIRI`` reads each term, a hash probe does not).
    """

    core: str
    weight: int
    late: str = ""

    @property
    def pattern(self) -> str:
        return f"{{ {self.core} {self.late} }}" if self.late else self.core


# --------------------------------------------------------------------------------------------
# pySHACL's default messages
# --------------------------------------------------------------------------------------------


def _pyshacl_text(graph: Graph, node: Node) -> str:
    """A node as pySHACL writes it into a default message."""
    from pyshacl.rdfutil import stringify_node  # heavy; only a shape without sh:message needs it

    return str(stringify_node(graph, node))


def _data_text(node: Node) -> str:
    """A data node as pySHACL writes it: against a data graph of rdflib's default prefixes.

    pySHACL describes a blank node by its triples, which are not at hand here.
    """
    if isinstance(node, BNode):
        return f"_:{node}"
    return _pyshacl_text(Graph(), node)


# --------------------------------------------------------------------------------------------
# The compiler
# --------------------------------------------------------------------------------------------


class _Compiler:
    """Walks a shapes graph once and writes the queries; see :func:`compile_shapes`."""

    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self.counter = 0
        self.prefixes: dict[str, str] = {}
        self.classes: set[URIRef] = set()
        self.datatypes: dict[URIRef, set[URIRef] | None] = {}
        self.repeatable: set[URIRef] = set()
        self.queries: list[_Query] = []

    # -- reading the shapes graph ------------------------------------------------------------

    def var(self, name: str = "v") -> str:
        self.counter += 1
        return f"?{_VAR}{name}{self.counter}"

    def values(self, shape: Node, parameter: URIRef) -> list[Node]:
        return sorted(self.shapes.objects(shape, parameter), key=str)

    def one(self, shape: Node, parameter: URIRef) -> Node | None:
        found = self.values(shape, parameter)
        if len(found) > 1:
            raise UnsupportedShapeError(
                f"{self.name(shape) or shape} has {len(found)} values of {parameter}; "
                "the compiler reads one"
            )
        return found[0] if found else None

    def count(self, shape: Node, parameter: URIRef) -> int | None:
        value = self.one(shape, parameter)
        if value is None:
            return None
        if not (isinstance(value, Literal) and isinstance(value.value, int) and value.value >= 0):
            raise UnsupportedShapeError(f"{parameter} of {self.name(shape)} is not a count")
        return int(value.value)

    def items(self, node: Node, parameter: URIRef) -> list[Node]:
        try:
            return list(self.shapes.items(node))
        except Exception as error:  # rdflib raises on a malformed list
            raise UnsupportedShapeError(f"{parameter} does not name an RDF list: {node}") from error

    def name(self, shape: Node | None) -> str | None:
        """The named shape a result is counted under, as pySHACL's results are."""
        return shape_name_in(self.shapes, shape)

    def deactivated(self, shape: Node) -> bool:
        flag = self.one(shape, SH.deactivated)
        return isinstance(flag, Literal) and flag.value is True

    def path(self, shape: Node) -> URIRef | None:
        path = self.one(shape, SH.path)
        if path is not None and not isinstance(path, URIRef):
            raise UnsupportedShapeError(
                f"{self.name(shape)}: only a plain IRI is understood as sh:path, not the "
                f"path expression {path!r}"
            )
        return path

    def message(self, shape: Node, default: Callable[[], _MessageMaker]) -> str | _MessageMaker:
        """The shape's sh:message, or pySHACL's default message for the component."""
        message = self.one(shape, SH.message)
        return str(message) if message is not None else default()

    def result(
        self,
        shape: Node,
        path: URIRef | None,
        value: str | None,
        default: Callable[[], _MessageMaker],
    ) -> _Result:
        return _Result(
            shape=self.name(shape),
            path=path,
            severity=_severity(self.one(shape, SH.severity) or SH.Violation),
            message=self.message(shape, default),
            value=value,
        )

    def text(self, node: Node) -> str:
        """A node of the shapes graph as pySHACL writes it into a default message."""
        return _pyshacl_text(self.shapes, node)

    # -- checking that every statement is understood -----------------------------------------

    def check_vocabulary(self) -> None:
        unknown = sorted(
            {
                str(predicate)
                for predicate in self.shapes.predicates()
                if isinstance(predicate, URIRef)
                and predicate.startswith(str(SH))
                and predicate not in _KNOWN_PARAMETERS
            }
        )
        unknown += sorted(
            {
                str(kind)
                for kind in self.shapes.objects(None, RDF.type)
                if isinstance(kind, URIRef)
                and kind.startswith(str(SH))
                and kind not in _KNOWN_TYPES
            }
        )
        if unknown:
            raise UnsupportedShapeError(
                "the shapes use SHACL features that the store validator does not compile: "
                + ", ".join(unknown)
            )
        for kind in (RDFS.Class, URIRef("http://www.w3.org/2002/07/owl#Class")):
            for shape in self.shapes.subjects(RDF.type, kind):
                if (shape, RDF.type, SH.NodeShape) in self.shapes or (
                    shape,
                    RDF.type,
                    SH.PropertyShape,
                ) in self.shapes:
                    raise UnsupportedShapeError(
                        f"{self.name(shape)} is also a class (an implicit class target), which "
                        "the store validator does not compile"
                    )
        for disjoint in self.shapes.objects(None, SH.qualifiedValueShapesDisjoint):
            if not (isinstance(disjoint, Literal) and disjoint.value is False):
                raise UnsupportedShapeError("sh:qualifiedValueShapesDisjoint true is not compiled")

    def check_syntax(self, queries: Sequence[_Query]) -> None:
        """Parse every query once, against an empty store: a SPARQL target using an undeclared
        prefix, or any query the compiler wrote wrong, is refused here and not at run time."""
        empty = ox.Store()
        prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(self.prefixes.items()))
        classes = {_iri(cls): [_iri(cls)] for cls in self.classes}
        for query in queries:
            try:
                empty.query(prefixes + _render(query.text, classes, {}))
            except SyntaxError as error:
                raise UnsupportedShapeError(
                    f"{query.label}: the query made of the shapes is not valid SPARQL ({error})"
                ) from error

    # -- targets -----------------------------------------------------------------------------

    def targets(self, shape: Node) -> list[_Target]:
        found: list[_Target] = []
        for cls in self.values(shape, SH.targetClass):
            if not isinstance(cls, URIRef):
                raise UnsupportedShapeError(f"{self.name(shape)}: sh:targetClass must be an IRI")
            self.classes.add(cls)
            kind = self.var("class")
            found.append(_Target(f"?this {_iri(RDF.type)} {kind} . {self.instances(kind, cls)}", 1))
        for predicate in self.values(shape, SH.targetSubjectsOf):
            if not isinstance(predicate, URIRef):
                raise UnsupportedShapeError(f"{self.name(shape)}: sh:targetSubjectsOf needs an IRI")
            # Every subject of rdf:type is a large target: enumerate it early.
            weight = 2 if predicate == RDF.type else 1
            found.append(_Target(f"?this {_iri(predicate)} {self.var('object')} .", weight))
        for target in self.values(shape, SH.target):
            found.extend(self.sparql_target(shape, target))
        return found

    def instances(self, variable: str, cls: URIRef) -> str:
        """VALUES binding ``variable`` to ``cls`` and its subclasses in the data."""
        return f"VALUES {variable} {{ \ue000class {_iri(cls)}\ue001 }}"

    def sparql_target(self, shape: Node, target: Node) -> list[_Target]:
        select = self.one(target, SH.select)
        if select is None:
            raise UnsupportedShapeError(
                f"{self.name(shape)}: only SPARQL targets (sh:select) are compiled as sh:target"
            )
        text = str(select)
        if re.search(rf"[?$]{_VAR}", text):
            raise UnsupportedShapeError(
                f"{self.name(shape)}: the SPARQL target uses a variable starting with {_VAR!r}, "
                "which the generated queries keep for themselves"
            )
        for declarations in self.values(target, SH.prefixes):
            self.declare(declarations)
        body = _target_body(text)
        if body is None:
            # Not a plain "SELECT ?this WHERE { ... }": run it as it is, as a subquery.
            return [_Target(f"{{ {text} }}", 3)]
        return [_Target(core, 3, late) for core, late in _union_branches(body)]

    def declare(self, declarations: Node) -> None:
        for declaration in self.values(declarations, SH.declare):
            prefix, namespace = (
                self.one(declaration, SH.prefix),
                self.one(declaration, SH.namespace),
            )
            if prefix is None or namespace is None:
                raise UnsupportedShapeError("an sh:declare needs an sh:prefix and an sh:namespace")
            known = self.prefixes.setdefault(str(prefix), str(namespace))
            if known != str(namespace):
                raise UnsupportedShapeError(
                    f"SPARQL targets declare the prefix {prefix}: twice, differently"
                )

    # -- value tests: SPARQL expressions that hold when a node passes a constraint -------------

    def value_tests(
        self, shape: Node, var: str, source: frozenset[URIRef] | None, stack: tuple[Node, ...]
    ) -> list[tuple[str, Callable[[], _MessageMaker], URIRef | None]]:
        """The constraints of ``shape`` on each of its value nodes, held in ``var``.

        Each is (expression, default message, class): the class is set for sh:class, which a
        top-level query tests with a MINUS rather than the expression. ``source`` names the
        properties whose objects ``var`` holds, to look for ill-typed literals only there.
        """
        tests: list[tuple[str, Callable[[], _MessageMaker], URIRef | None]] = []
        kind = self.one(shape, SH.nodeKind)
        if kind is not None:
            if not isinstance(kind, URIRef) or kind not in _NODE_KINDS:
                raise UnsupportedShapeError(f"{self.name(shape)}: unknown sh:nodeKind {kind}")
            node_kind: URIRef = kind
            tests.append(
                (
                    _NODE_KINDS[node_kind].format(v=var),
                    lambda: _fixed(f"Value is not of Node Kind {self.text(node_kind)}"),
                    None,
                )
            )
        classes = self.values(shape, SH["class"])
        for cls in classes:
            if not isinstance(cls, URIRef):
                raise UnsupportedShapeError(f"{self.name(shape)}: sh:class must be an IRI")
            self.classes.add(cls)
            kind_var = self.var("class")
            tests.append(
                (
                    f"EXISTS {{ {var} {_iri(RDF.type)} {kind_var} . "
                    f"{self.instances(kind_var, cls)} }}",
                    lambda: _fixed(self.class_message(classes)),
                    cls,
                )
            )
        datatype = self.one(shape, SH.datatype)
        if datatype is not None:
            if not isinstance(datatype, URIRef):
                raise UnsupportedShapeError(f"{self.name(shape)}: sh:datatype must be an IRI")
            tests.append(
                (
                    self.datatype_test(datatype, var, source),
                    lambda: _fixed(f"Value is not Literal with datatype {self.text(datatype)}"),
                    None,
                )
            )
        patterns = self.values(shape, SH.pattern)
        flags = self.one(shape, SH.flags)
        # pySHACL reads only the i and m flags.
        regex_flags = "".join(f for f in "im" if flags is not None and f in str(flags).lower())
        for pattern in patterns:
            if not isinstance(pattern, Literal):
                raise UnsupportedShapeError(f"{self.name(shape)}: sh:pattern must be a literal")
            tests.append(
                (
                    f"(!isBlank({var}) && REGEX(STR({var}), {_string(str(pattern))}, "
                    f"{_string(regex_flags)}))",
                    lambda: _fixed(_pattern_message(patterns)),
                    None,
                )
            )
        minimums = self.values(shape, SH.minInclusive)
        for minimum in minimums:
            tests.append(
                (
                    f"(isLiteral({var}) && {var} >= {_term(minimum)})",
                    lambda: _fixed(self.list_message("Value is not >= ", minimums)),
                    None,
                )
            )
        languages = self.one(shape, SH.languageIn)
        if languages is not None:
            tests.append(
                (
                    self.language_test(self.items(languages, SH.languageIn), var),
                    lambda: _fixed(f"String language is not in {self.text(languages)}"),
                    None,
                )
            )
        nodes = self.values(shape, SH.node)
        for node in nodes:
            tests.append(
                (
                    self.conforms(node, var, source, stack),
                    lambda: _fixed(self.node_message(nodes)),
                    None,
                )
            )
        alternatives = self.values(shape, SH["or"])
        for members in alternatives:
            expressions = [
                self.conforms(member, var, source, stack)
                for member in self.items(members, SH["or"])
            ]
            tests.append(
                (
                    "(" + " || ".join(f"({e})" for e in expressions) + ")"
                    if expressions
                    else "true",
                    lambda: self.or_message(alternatives),
                    None,
                )
            )
        return tests

    def datatype_test(self, datatype: URIRef, var: str, source: frozenset[URIRef] | None) -> str:
        if datatype == RDFS.Literal:
            return f"isLiteral({var})"
        if datatype == RDFS.Datatype:
            return (
                f"(isLiteral({var}) && !sameTerm(DATATYPE({var}), {_iri(XSD.string)}) && "
                f"!sameTerm(DATATYPE({var}), {_iri(RDF.langString)}))"
            )
        if datatype == RDF.langString:
            return f'(isLiteral({var}) && LANG({var}) != "")'
        test = f"(isLiteral({var}) && sameTerm(DATATYPE({var}), {_iri(datatype)}))"
        if datatype in _STATIC_DATATYPES:
            return test
        # Which literals of the datatype rdflib rejects is found out when the queries run.
        if source is None or self.datatypes.get(datatype, frozenset()) is None:
            self.datatypes[datatype] = None
        else:
            self.datatypes[datatype] = {*(self.datatypes.get(datatype) or ()), *source}
        return f"({test} && !\ue000bad {_iri(datatype)} {var}\ue001)"

    @staticmethod
    def language_test(languages: Sequence[Node], var: str) -> str:
        """pySHACL's sh:languageIn: the tag, or the tag's first part, is one of the list."""
        tests = []
        for language in languages:
            if not (isinstance(language, Literal) and isinstance(language.value, str)):
                raise UnsupportedShapeError("sh:languageIn lists strings")
            wanted = str(language).lower()
            if wanted == "*":
                tests.append(f'LANG({var}) != ""')
            elif "-" in wanted:
                # The first part never holds a hyphen, so only the whole tag can match.
                tests.append(f"LCASE(LANG({var})) = {_string(wanted)}")
            else:
                # langMatches with a one-part range: the tag is it, or starts with it and "-".
                tests.append(f"langMatches(LANG({var}), {_string(wanted)})")
        return f"(isLiteral({var}) && ({' || '.join(tests) or 'false'}))"

    def class_message(self, classes: Sequence[Node]) -> str:
        if len(classes) < 2:
            return f"Value does not have class {self.text(classes[0])}"
        return f"Value class is not in classes ({', '.join(self.text(c) for c in classes)})"

    def list_message(self, start: str, values: Sequence[Node]) -> str:
        if len(values) < 2:
            return f"{start}{self.text(values[0])}"
        return f"{start}in ({', '.join(self.text(v) for v in values)})"

    def node_message(self, nodes: Sequence[Node]) -> str:
        if len(nodes) < 2:
            message = f"Value does not conform to Shape {self.text(nodes[0])}."
        else:
            message = "Value must conform to every Shape in ('{}').".format(
                "', '".join(self.text(n) for n in nodes)
            )
        return message + " See details for more information."

    def or_message(self, alternatives: Sequence[Node]) -> _MessageMaker:
        lists = [
            " , ".join(self.text(member) for member in self.items(members, SH["or"]))
            for members in alternatives
        ]
        shapes = lists[0] if len(lists) < 2 else " and ".join(f"({text})" for text in lists)

        def message(_focus: Node, value: Node | None) -> str:
            node = _data_text(value) if value is not None else ""
            return f"Node {node} must conform to one or more shapes in {shapes}"

        return message

    # -- conformance of a nested shape --------------------------------------------------------

    def conforms(
        self, shape: Node, var: str, source: frozenset[URIRef] | None, stack: tuple[Node, ...]
    ) -> str:
        """A SPARQL expression that holds when the node in ``var`` conforms to ``shape``."""
        if shape in stack:
            raise UnsupportedShapeError(f"{self.name(shape) or shape} refers to itself")
        if self.deactivated(shape):
            return "true"
        stack = (*stack, shape)
        path = self.path(shape)
        parts: list[str] = []
        if path is None:
            for parameter in _PROPERTY_ONLY:
                if self.one(shape, parameter) is not None:
                    raise UnsupportedShapeError(
                        f"{self.name(shape) or shape}: {parameter} needs an sh:path"
                    )
            parts += [test for test, _, _ in self.value_tests(shape, var, source, stack)]
            parts += [
                self.conforms(member, var, source, stack)
                for member in self.values(shape, SH.property)
            ]
        else:
            if self.values(shape, SH.property):
                raise UnsupportedShapeError(f"{self.name(shape)}: sh:property on a property shape")
            parts += self.property_conforms(shape, path, var, stack)
        return " && ".join(f"({part})" for part in parts) or "true"

    def property_conforms(
        self, shape: Node, path: URIRef, focus: str, stack: tuple[Node, ...]
    ) -> list[str]:
        """Conditions on ``focus`` that make it conform to the property shape ``shape``."""
        parts: list[str] = []
        least, most = self.count(shape, SH.minCount), self.count(shape, SH.maxCount)
        if least:
            parts.append(f"EXISTS {{ {self.distinct_values(focus, path, least)} }}")
        if most is not None:
            parts.append(f"NOT EXISTS {{ {self.distinct_values(focus, path, most + 1)} }}")
        value = self.var()
        tests = [test for test, _, _ in self.value_tests(shape, value, frozenset({path}), stack)]
        if tests:
            passes = " && ".join(f"({test})" for test in tests)
            parts.append(
                f"NOT EXISTS {{ {focus} {_iri(path)} {value} FILTER(!COALESCE({passes}, false)) }}"
            )
        for other in self.values(shape, SH.lessThan):
            compared = self.var("other")
            parts.append(
                f"NOT EXISTS {{ {focus} {_iri(path)} {value} . {focus} {_iri(other)} {compared} "
                f"FILTER(!{_less_than(value, compared)}) }}"
            )
        for qualified in self.values(shape, SH.qualifiedValueShape):
            least = self.count(shape, SH.qualifiedMinCount)
            most = self.count(shape, SH.qualifiedMaxCount)
            if least:
                parts.append(
                    "EXISTS { " + self.distinct_values(focus, path, least, qualified, stack) + " }"
                )
            if most is not None:
                parts.append(
                    "NOT EXISTS { "
                    + self.distinct_values(focus, path, most + 1, qualified, stack)
                    + " }"
                )
        return parts

    def distinct_values(
        self,
        focus: str,
        path: URIRef,
        how_many: int,
        qualified: Node | None = None,
        stack: tuple[Node, ...] = (),
    ) -> str:
        """A pattern matching ``how_many`` distinct values (conforming to ``qualified``)."""
        names = [self.var() for _ in range(how_many)]
        pattern = " ".join(f"{focus} {_iri(path)} {name} ." for name in names)
        conditions = [f"!sameTerm({a}, {b})" for a, b in combinations(names, 2)]
        if qualified is not None:
            conditions += [
                f"COALESCE({self.conforms(qualified, name, frozenset({path}), stack)}, false)"
                for name in names
            ]
        return pattern + (f" FILTER({' && '.join(conditions)})" if conditions else "")

    # -- top-level checks ---------------------------------------------------------------------

    def compile(self) -> CompiledShapes:
        self.check_vocabulary()
        targeted = sorted(
            {
                shape
                for parameter in (SH.targetClass, SH.targetSubjectsOf, SH.target)
                for shape in self.shapes.subjects(parameter, None)
            },
            key=str,
        )
        for shape in targeted:
            if not self.deactivated(shape):
                self.shape_checks(shape)
        # Shapes nobody targets are still compiled, so an unknown feature in them fails here
        # rather than when they come to be used; the facts they would need are not kept.
        classes, datatypes = set(self.classes), dict(self.datatypes)
        for shape in sorted(
            set(self.shapes.subjects(RDF.type, SH.NodeShape))
            | set(self.shapes.subjects(RDF.type, SH.PropertyShape)),
            key=str,
        ):
            self.conforms(shape, self.var("unused"), None, ())
        self.classes, self.datatypes = classes, datatypes
        queries = sorted(self.queries, key=lambda query: -query.weight)
        self.check_syntax(queries)
        prefixes = "".join(
            f"PREFIX {prefix}: <{namespace}>\n"
            for prefix, namespace in sorted(self.prefixes.items())
        )
        return CompiledShapes(
            queries=tuple(queries),
            prefixes=prefixes,
            classes=frozenset(self.classes),
            datatypes={
                datatype: None if predicates is None else frozenset(predicates)
                for datatype, predicates in self.datatypes.items()
            },
            repeatable=frozenset(self.repeatable),
        )

    def shape_checks(self, shape: Node) -> None:
        targets = self.targets(shape)
        # Restricts rows to the shape's focus nodes: FILTER EXISTS tests only the rows found,
        # with ?this bound. A subquery would see ?this bound too (its LIMIT, ORDER BY or GROUP
        # BY would then mean something else), so targets holding one are joined instead.
        union = " UNION ".join(f"{{ {target.pattern} }}" for target in targets)
        if any(re.search(r"\bSELECT\b", target.pattern, re.I) for target in targets):
            focus = f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"
        else:
            focus = f"FILTER EXISTS {{ {union} }}"
        label = self.name(shape) or str(shape)
        path = self.path(shape)
        if path is not None:
            self.property_checks(shape, path, targets, focus, label)
            return
        for parameter in _PROPERTY_ONLY:
            if self.one(shape, parameter) is not None:
                raise UnsupportedShapeError(f"{label}: {parameter} needs an sh:path")
        # Constraints on the focus node itself: every focus node is a value node.
        for test, default, _cls in self.value_tests(shape, "?this", None, (shape,)):
            result = self.result(shape, None, "this", default)
            for target in targets:
                self.queries.append(
                    _Query(
                        f"{label} (node)",
                        f"SELECT DISTINCT ?this WHERE {{ {target.pattern} "
                        f"FILTER(!COALESCE({test}, false)) }}",
                        ((result, None),),
                        target.weight,
                    )
                )
        members = [m for m in self.values(shape, SH.property) if not self.deactivated(m)]
        for member in members:
            member_path = self.path(member)
            if member_path is None:
                raise UnsupportedShapeError(f"{label}: a value of sh:property has no sh:path")
            self.property_checks(member, member_path, targets, focus, label, members)

    def property_checks(
        self,
        shape: Node,
        path: URIRef,
        targets: Sequence[_Target],
        focus: str,
        label: str,
        siblings: Sequence[Node] = (),
    ) -> None:
        if self.values(shape, SH.property):
            raise UnsupportedShapeError(f"{label}: sh:property on a property shape")
        label = f"{label} {path.n3()}"
        in_focus = focus
        value = f"?{_VAR}value"
        stack = (shape,)

        # Per value node: scan the property's triples, test, keep failures of focus nodes.
        for test, default, cls in self.value_tests(shape, value, frozenset({path}), stack):
            result = self.result(shape, path, f"{_VAR}value", default)
            if cls is not None:
                # Instances of the class leave by a hash anti-join; literals never match.
                kind = self.var("class")
                where = (
                    f"?this {_iri(path)} {value} "
                    f"MINUS {{ {value} {_iri(RDF.type)} {kind} . {self.instances(kind, cls)} }}"
                )
            else:
                where = f"?this {_iri(path)} {value} FILTER(!COALESCE({test}, false))"
            self.queries.append(
                _Query(
                    f"{label} value",
                    f"SELECT DISTINCT ?this {value} WHERE {{ {where} {in_focus} }}",
                    ((result, None),),
                )
            )

        # sh:lessThan: one result per pair of values that are not in order.
        for other in self.values(shape, SH.lessThan):
            if not isinstance(other, URIRef):
                raise UnsupportedShapeError(f"{label}: sh:lessThan must be an IRI")
            compared = f"?{_VAR}other"
            result = self.result(
                shape,
                path,
                f"{_VAR}value",
                partial(self.less_than_message, other),
            )
            self.queries.append(
                _Query(
                    f"{label} lessThan",
                    f"SELECT ?this {value} {compared} WHERE {{ ?this {_iri(path)} {value} . "
                    f"?this {_iri(other)} {compared} "
                    f"FILTER(!{_less_than(value, compared)}) {in_focus} }}",
                    ((result, None),),
                )
            )

        # At most n values (conforming to a qualified shape): group the property's triples.
        most = self.count(shape, SH.maxCount)
        if most is not None:
            result = self.result(
                shape, path, None, lambda: _count_message("More", most, self.text(path))
            )
            if most > 0:
                # Most properties never repeat on a subject: one query over all of them finds
                # those that do, and only theirs are grouped by focus node.
                self.repeatable.add(path)
            self.queries.append(
                _Query(
                    f"{label} maxCount",
                    self.too_many(path, most, None, in_focus),
                    ((result, None),),
                    repeats=path if most > 0 else None,
                )
            )
        qualified = self.values(shape, SH.qualifiedValueShape)
        least_qualified = self.count(shape, SH.qualifiedMinCount)
        most_qualified = self.count(shape, SH.qualifiedMaxCount)
        if qualified and least_qualified is None and most_qualified is None:
            raise UnsupportedShapeError(f"{label}: sh:qualifiedValueShape without a count")
        for value_shape in qualified:
            if most_qualified is not None:
                result = self.result(
                    shape,
                    path,
                    None,
                    lambda: self.qualified_message(qualified, least_qualified, most_qualified),
                )
                self.queries.append(
                    _Query(
                        f"{label} qualifiedMaxCount",
                        self.too_many(path, most_qualified, value_shape, in_focus),
                        ((result, None),),
                    )
                )

        # At least n values: every focus node is looked at, so each target is its own query.
        least = self.count(shape, SH.minCount)
        if least:
            min_result = self.result(
                shape, path, None, lambda: _count_message("Less", least, self.text(path))
            )
            merged = least == 1 and self.merge_minimum(
                shape, path, targets, label, min_result, siblings
            )
            if not merged:
                self.too_few(path, least, None, targets, label, min_result)
        if least_qualified:
            result = self.result(
                shape,
                path,
                None,
                lambda: self.qualified_message(qualified, least_qualified, most_qualified),
            )
            for value_shape in qualified:
                if not self.merged_into(shape, path, siblings):
                    self.too_few(path, least_qualified, value_shape, targets, label, result)

    def less_than_message(self, other: Node) -> _MessageMaker:
        return _less_than_message(self.text(other))

    def qualified_message(
        self, shapes: Sequence[Node], least: int | None, most: int | None
    ) -> _MessageMaker:
        counts = (f" MinCount {least}" if least is not None else "") + (
            f" MaxCount {most}" if most is not None else ""
        )
        names = ",".join(self.text(shape) for shape in shapes)
        if len(shapes) > 1:
            return _fixed(f"Focus node does not conform to shapes{counts}: ({names})")
        return _fixed(f"Focus node does not conform to shape{counts}: {names}")

    def too_many(self, path: URIRef, most: int, qualified: Node | None, in_focus: str) -> str:
        value = self.var()
        condition = (
            ""
            if qualified is None
            else f" FILTER(COALESCE({self.conforms(qualified, value, frozenset({path}), ())}, "
            "false))"
        )
        return (
            f"SELECT ?this WHERE {{ {{ SELECT ?this WHERE {{ ?this {_iri(path)} {value}"
            f"{condition} }} GROUP BY ?this HAVING (COUNT(DISTINCT {value}) > {most}) }} "
            f"{in_focus} }}"
        )

    def too_few(
        self,
        path: URIRef,
        least: int,
        qualified: Node | None,
        targets: Sequence[_Target],
        label: str,
        result: _Result,
        also: tuple[_Result, str] | None = None,
    ) -> None:
        """Queries for focus nodes with fewer than ``least`` (conforming) values, per target.

        ``also`` is a second result reported for a row unless its column (bound here to
        whether the focus node has any value at all) is true.
        """
        value = self.var()
        condition = (
            ""
            if qualified is None
            else f" FILTER(COALESCE({self.conforms(qualified, value, frozenset({path}), ())}, "
            "false))"
        )
        has_any = ""
        results: tuple[tuple[_Result, str | None], ...] = ((result, None),)
        if also is not None:
            has_any = f" BIND(EXISTS {{ ?this {_iri(path)} {self.var()} }} AS ?{also[1]})"
            results = (*results, (also[0], also[1]))
        for target in targets:
            if least == 1 and target.late:
                # LIMIT keeps Oxigraph from testing the late filters before the anti-join.
                text = (
                    f"SELECT DISTINCT ?this{' ?' + also[1] if also else ''} WHERE {{ "
                    f"{{ SELECT ?this WHERE {{ {target.core} "
                    f"MINUS {{ ?this {_iri(path)} {value}{condition} }} }} LIMIT {_NO_LIMIT} }} "
                    f"{target.late}{has_any} }}"
                )
            elif least == 1:
                text = (
                    f"SELECT DISTINCT ?this{' ?' + also[1] if also else ''} WHERE {{ "
                    f"{target.pattern} MINUS {{ ?this {_iri(path)} {value}{condition} }}"
                    f"{has_any} }}"
                )
            else:
                text = (
                    f"SELECT ?this WHERE {{ {target.pattern} OPTIONAL {{ ?this {_iri(path)} "
                    f"{value}{condition} }} }} GROUP BY ?this "
                    f"HAVING (COUNT(DISTINCT {value}) < {least})"
                )
            kind = "qualifiedMinCount" if qualified is not None else "minCount"
            self.queries.append(_Query(f"{label} {kind}", text, results, target.weight))

    def merged_into(self, shape: Node, path: URIRef, siblings: Sequence[Node]) -> bool:
        """Whether this qualified minimum is answered by a sibling's sh:minCount 1 query."""
        return (
            any(sibling != shape and self.is_plain_minimum(sibling, path) for sibling in siblings)
            and self.partner(path, siblings) == shape
        )

    def partner(self, path: URIRef, siblings: Sequence[Node]) -> Node | None:
        """The first sibling with a single sh:qualifiedMinCount 1 on ``path``, if any."""
        return next(
            (
                sibling
                for sibling in siblings
                if self.path(sibling) == path and self.is_single_qualified_minimum(sibling)
            ),
            None,
        )

    def merge_minimum(
        self,
        shape: Node,
        path: URIRef,
        targets: Sequence[_Target],
        label: str,
        min_result: _Result,
        siblings: Sequence[Node],
    ) -> bool:
        """Answer ``sh:minCount 1`` and a sibling's ``sh:qualifiedMinCount 1`` on the same path
        by one query over the focus nodes, if there is such a sibling.

        A focus node with no value at all has no conforming value either, so the focus nodes
        missing a conforming value include those missing any; one enumeration of the targets
        (every typed entity, for labels) then serves both, with ``EXISTS`` telling them apart.
        """
        if not self.is_plain_minimum(shape, path):
            return False
        partner = self.partner(path, siblings)
        if partner is None or partner == shape:
            return False
        qualified = self.values(partner, SH.qualifiedValueShape)
        least = self.count(partner, SH.qualifiedMinCount)
        most = self.count(partner, SH.qualifiedMaxCount)
        partner_result = self.result(
            partner, path, None, lambda: self.qualified_message(qualified, least, most)
        )
        self.too_few(
            path,
            1,
            qualified[0],
            targets,
            label,
            partner_result,
            also=(min_result, f"{_VAR}has"),
        )
        return True

    def is_plain_minimum(self, shape: Node, path: URIRef) -> bool:
        return self.path(shape) == path and self.count(shape, SH.minCount) == 1

    def is_single_qualified_minimum(self, shape: Node) -> bool:
        return (
            len(self.values(shape, SH.qualifiedValueShape)) == 1
            and self.count(shape, SH.qualifiedMinCount) == 1
        )


def _target_body(select: str) -> str | None:
    """The group pattern of ``SELECT [DISTINCT] ?this WHERE { ... }``, or None if it is more."""
    start = re.match(
        r"\s*SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?[?$]this\s+(?:WHERE\s*)?\{", select, re.I
    )
    if start is None:
        return None
    end = _closing_brace(select, start.end() - 1)
    if end is None or select[end + 1 :].strip():
        return None
    return select[start.end() : end]


#: What the brace matcher skips: IRIs, strings (long and short) and comments.
_SKIPPED = re.compile(
    r"""<[^<>"{}|^`\\\x00-\x20]*>|'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'"""
    r"""|"(?:[^"\\\n]|\\.)*"|\#[^\n]*""",
    re.S,
)


def _top_level(body: str) -> list[tuple[str, str]] | None:
    """The top-level pieces of a group pattern: ``("group", text)``, ``("union", "")``,
    ``("filter", text)`` or ``("other", text)``; None if the braces do not match."""
    pieces: list[tuple[str, str]] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char.isspace():
            index += 1
            continue
        if char == "{":
            end = _closing_brace(body, index)
            if end is None:
                return None
            pieces.append(("group", body[index : end + 1]))
            index = end + 1
            continue
        keyword = re.match(r"(UNION|FILTER)\b", body[index:], re.I)
        if keyword and keyword.group(1).upper() == "UNION":
            pieces.append(("union", ""))
            index += keyword.end()
            continue
        if keyword:
            end = _filter_end(body, index + keyword.end())
            if end is None:
                return None
            pieces.append(("filter", body[index:end]))
            index = end
            continue
        skipped = _SKIPPED.match(body, index)
        end = skipped.end() if skipped else index + 1
        pieces.append(("other", body[index:end]))
        index = end
    return pieces


def _filter_end(body: str, index: int) -> int | None:
    """Where the constraint of a FILTER starting at ``index`` ends."""
    match = re.match(r"\s*(?:NOT\s+)?EXISTS\s*\{", body[index:], re.I)
    if match:
        end = _closing_brace(body, index + match.end() - 1)
        return None if end is None else end + 1
    match = re.match(r"\s*[\w:]*\s*\(", body[index:])
    if not match:
        return None
    depth = 0
    position = index + match.end() - 1
    while position < len(body):
        skipped = _SKIPPED.match(body, position)
        if skipped and body[position] in "<'\"#":
            position = skipped.end()
            continue
        if body[position] == "(":
            depth += 1
        elif body[position] == ")":
            depth -= 1
            if depth == 0:
                return position + 1
        position += 1
    return None


def _closing_brace(text: str, opening: int) -> int | None:
    """The index of the brace closing the one at ``opening``, skipping IRIs, strings, comments."""
    depth = 0
    position = opening
    while position < len(text):
        char = text[position]
        if char in "<'\"#":
            skipped = _SKIPPED.match(text, position)
            if skipped:
                position = skipped.end()
                continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return position
        position += 1
    return None


def _union_branches(body: str) -> list[tuple[str, str]]:
    """The body as patterns binding ``?this`` whose union it is, each as (core, late filters).

    A body made of ``{ A } UNION { B } ...`` and FILTERs is split into ``{ A FILTERs }``,
    ``{ B FILTERs }``: a filter of a group holds on each branch of its union. Each branch then
    runs as its own query, which Oxigraph evaluates faster than their union (and the threads
    run at once). Filters on ``?this`` alone are kept apart (see :class:`_Target`). Anything
    else stays one pattern.
    """
    pieces = _top_level(body)
    if pieces is None or any(kind == "other" for kind, _ in pieces):
        return [(f"{{ {body} }}", "")]
    groups = [text for kind, text in pieces if kind == "group"]
    filters = [text for kind, text in pieces if kind == "filter"]
    chain = [kind for kind, _ in pieces if kind != "filter"]
    expected = ["group"] + ["union", "group"] * (len(groups) - 1)
    if not groups or chain != expected:
        return [(f"{{ {body} }}", "")]
    late = " ".join(f for f in filters if set(re.findall(r"[?$](\w+)", f)) <= {"this"})
    kept = " ".join(f for f in filters if set(re.findall(r"[?$](\w+)", f)) - {"this"})
    return [(f"{{ {group[1:-1]} {kept} }}", late) for group in groups]


def _less_than(value: str, other: str) -> str:
    """pySHACL's sh:lessThan test: strings (IRIs, plain and tagged strings) compare with
    strings, as text; anything else as SPARQL orders it. An error is a failure."""

    def stringy(var: str) -> str:
        return (
            f"(isIRI({var}) || (isLiteral({var}) && (sameTerm(DATATYPE({var}), "
            f'{_iri(XSD.string)}) || LANG({var}) != "")))'
        )

    return (
        f"COALESCE(IF({stringy(value)} || {stringy(other)}, {stringy(value)} && "
        f"{stringy(other)} && STR({value}) < STR({other}), {value} < {other}), false)"
    )


def _fixed(message: str) -> _MessageMaker:
    return lambda _focus, _value: message


def _pattern_message(patterns: Sequence[Node]) -> str:
    if len(patterns) < 2:
        return f"Value does not match pattern '{patterns[0]}'"
    return "Value does not match every pattern in ('{}')".format("', '".join(map(str, patterns)))


def _count_message(kind: str, count: int, path: str) -> _MessageMaker:
    return lambda focus, _value: f"{kind} than {count} values on {_data_text(focus)}->{path}"


def _less_than_message(other: str) -> _MessageMaker:
    return lambda focus, value: (
        f"Value of {_data_text(focus)}->{other} <= {_data_text(value) if value is not None else ''}"
    )


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """Turn a SHACL shapes graph into SPARQL queries over a store's default graph.

    Raises
    ------
    UnsupportedShapeError
        The shapes use a constraint component, target, path or parameter the compiler does not
        know; it names them. The shapes of ``ontology/shapes.ttl`` all compile.
    """
    return _Compiler(shapes).compile()


@lru_cache(maxsize=1)
def _compiled() -> CompiledShapes:
    """``shapes.ttl`` compiled once per process: reading and compiling it takes a few ms."""
    return compile_shapes(_shapes())


# --------------------------------------------------------------------------------------------
# Running the queries
# --------------------------------------------------------------------------------------------


def _rdflib(term: object) -> Node:
    """A pyoxigraph term as the rdflib term the loader's parser makes of it."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype == str(XSD.string):
            return Literal(term.value)
        if datatype == str(RDF.langString):
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    raise TypeError(f"not an RDF term: {term!r}")


def _well_typed(literal: ox.Literal) -> bool:
    """pySHACL's verdict on a literal of the datatype it claims (rdflib reads its value)."""
    datatype = URIRef(literal.datatype.value)
    value = Literal(literal.value, datatype=datatype, normalize=False)
    if value.ill_typed is True:
        return False
    expected = _PYTHON_TYPES.get(datatype)
    return expected is None or isinstance(value.value, expected)


class _Runner:
    """Runs queries on a thread pool, timing each under its label when asked."""

    def __init__(
        self, store: ox.Store, pool: ThreadPoolExecutor, timings: dict[str, float] | None
    ) -> None:
        self.store = store
        self.pool = pool
        self.timings = timings
        self.lock = threading.Lock()

    def rows(self, label: str, text: str) -> list[Solution]:
        start = clock.perf_counter()
        result = self.store.query(text)
        assert isinstance(result, ox.QuerySolutions)
        rows = list(result)
        if self.timings is not None:
            with self.lock:
                self.timings[label] = self.timings.get(label, 0.0) + clock.perf_counter() - start
        return rows


def _subclasses(runner: _Runner, classes: Iterable[URIRef]) -> dict[str, list[str]]:
    """Each class with its subclasses in the data graph, as pySHACL finds instances."""
    below: dict[str, set[str]] = {}
    for row in runner.rows(
        "facts: rdfs:subClassOf",
        f"SELECT ?sub ?super WHERE {{ ?sub {_iri(RDFS.subClassOf)} ?super }}",
    ):
        sub, sup = row["sub"], row["super"]
        # A blank subclass cannot be written in VALUES; pySHACL would count its instances.
        if isinstance(sub, ox.NamedNode) and isinstance(sup, ox.NamedNode):
            below.setdefault(sup.value, set()).add(sub.value)
    closures: dict[str, list[str]] = {}
    for cls in classes:
        found = {str(cls)}
        pending = [str(cls)]
        while pending:
            for sub in below.get(pending.pop(), ()):
                if sub not in found:
                    found.add(sub)
                    pending.append(sub)
        closures[_iri(cls)] = sorted(_iri(URIRef(iri)) for iri in found)
    return closures


def _ill_typed(
    runner: _Runner, datatype: URIRef, predicates: frozenset[URIRef] | None
) -> list[str]:
    """The distinct literals of ``datatype`` among the tested values that rdflib rejects."""
    scope = (
        f"VALUES ?p {{ {' '.join(_iri(p) for p in sorted(predicates))} }} "
        if predicates is not None
        else ""
    )
    unread = " && !isNumeric(?v)" if datatype in _NUMERIC else ""
    rows = runner.rows(
        f"facts: ill-typed {datatype.n3()}",
        f"SELECT DISTINCT ?v WHERE {{ {scope}?s ?p ?v "
        f"FILTER(isLiteral(?v) && sameTerm(DATATYPE(?v), {_iri(datatype)}){unread}) }}",
    )
    return sorted(
        str(row["v"])
        for row in rows
        if isinstance(row["v"], ox.Literal) and not _well_typed(row["v"])
    )


def _render(text: str, classes: Mapping[str, list[str]], bad: Mapping[str, list[str]]) -> str:
    def fill(match: re.Match[str]) -> str:
        kind, argument = match.group(1), match.group(2)
        if kind == "class":
            return " ".join(classes[argument])
        datatype, var = argument.split(" ")
        literals = bad.get(datatype, [])
        # VALUES inside EXISTS compares terms, as sameTerm does.
        return f"EXISTS {{ VALUES {var} {{ {' '.join(literals)} }} }}" if literals else "false"

    return _FACT.sub(fill, text)


def _violations(ids: Identifiers, query: _Query, row: Solution) -> list[Violation]:
    """The results one row of ``query`` reports."""
    found: list[Violation] = []
    focus = _rdflib(row["this"])
    for result, unless in query.results:
        if unless is not None:
            flag = row[unless]
            if isinstance(flag, ox.Literal) and flag.value == "true":
                continue
        value = _rdflib(row[result.value]) if result.value is not None else None
        message = result.message
        found.append(
            Violation(
                focus=_text(ids, focus) or "?",
                path=_text(ids, result.path),
                message=message if isinstance(message, str) else message(focus, value),
                severity=result.severity,
                value=_text(ids, value),
                shape=result.shape,
            )
        )
    return found


def _repeated(runner: _Runner, properties: frozenset[URIRef]) -> set[str]:
    """The properties of which some subject has two values or more (sh:maxCount candidates)."""
    if not properties:
        return set()
    rows = runner.rows(
        "facts: repeated properties",
        f"SELECT ?p WHERE {{ VALUES ?p {{ {' '.join(_iri(p) for p in sorted(properties))} }} "
        "?s ?p ?o } GROUP BY ?p HAVING (COUNT(*) > COUNT(DISTINCT ?s))",
    )
    return {row["p"].value for row in rows if isinstance(row["p"], ox.NamedNode)}


def _shacl_sorted(violations: Iterable[Violation]) -> list[Violation]:
    """Sorted as ``validation.shacl_violations`` sorts, ties in a fixed order."""
    ordered = sorted(
        violations,
        key=lambda v: (v.focus, v.path or "", v.message, v.value or "", v.shape or "", v.severity),
    )
    return sorted(ordered, key=lambda v: (v.focus, v.path or "", v.message))


def store_shacl_violations(
    store: ox.Store,
    ids: Identifiers,
    shapes: CompiledShapes | None = None,
    *,
    timings: dict[str, float] | None = None,
) -> list[Violation]:
    """The SHACL results for the store's default graph, as ``validation.shacl_violations``.

    Parameters
    ----------
    shapes
        Compiled shapes; by default ``ontology/shapes.ttl``, compiled once per process.
    timings
        If given, filled with the seconds each shape's queries took, summed over threads.
    """
    shacl, _, _ = _validate(store, ids, shapes or _compiled(), rules=False, timings=timings)
    return shacl


def _validate(
    store: ox.Store,
    ids: Identifiers,
    compiled: CompiledShapes,
    *,
    rules: bool,
    provenance: bool = False,
    timings: dict[str, float] | None,
) -> tuple[list[Violation], list[Violation], list[Violation]]:
    """The SHACL results, and with ``rules`` the span rule's and (``provenance``) the
    provenance rule's, each list in its order.

    Every query goes to one thread pool, the longest first. The facts about the data come
    first: the subclasses, which most queries need, are waited for; queries needing the
    ill-typed literals or the repeated properties are sent once those are known.
    """
    with ThreadPoolExecutor(_THREADS) as pool:
        runner = _Runner(store, pool, timings)
        closures = pool.submit(_subclasses, runner, compiled.classes)
        bad = {
            _iri(datatype): pool.submit(_ill_typed, runner, datatype, predicates)
            for datatype, predicates in compiled.datatypes.items()
        }
        repeated = pool.submit(_repeated, runner, compiled.repeatable)
        classes = closures.result()

        def send(query: _Query, ill_typed: Mapping[str, list[str]]) -> Future[list[Solution]]:
            text = compiled.prefixes + _render(query.text, classes, ill_typed)
            return pool.submit(runner.rows, query.label, text)

        shacl: list[tuple[_Query, Future[list[Solution]]]] = []
        waiting: list[_Query] = []
        for query in compiled.queries:
            if query.repeats is not None or "\ue000bad" in query.text:
                waiting.append(query)
            else:
                shacl.append((query, send(query, {})))
        span = pool.submit(runner.rows, SPAN_RULE, _span_query(ids)) if rules else None
        facts = (
            [(label, message, pool.submit(job, runner, ids)) for label, job, message in _RULE]
            if rules and provenance
            else []
        )
        ill_typed = {datatype: future.result() for datatype, future in bad.items()}
        repeats = repeated.result()
        shacl += [
            (query, send(query, ill_typed))
            for query in waiting
            if query.repeats is None or str(query.repeats) in repeats
        ]

        # A focus node found through two targets is one focus node, as in pySHACL.
        seen: set[tuple[int, tuple[str, ...]]] = set()
        results: list[Violation] = []
        for number, (query, future) in enumerate(shacl):
            for row in future.result():
                key = (number, tuple(str(term) for term in row))
                if key not in seen:
                    seen.add(key)
                    results.extend(_violations(ids, query, row))
        spans = _span_violations(ids, span.result()) if span is not None else []
        rule: list[Violation] = []
        for label, message, future in facts:
            rule += _provenance_violations(ids, label, message, future.result())
    return _shacl_sorted(results), spans, rule


# --------------------------------------------------------------------------------------------
# The provenance rule and the span rule, over the named graphs
# --------------------------------------------------------------------------------------------

_PROVENANCE_CLASSES = (
    PACCTO.SourceDocument,
    PACCTO.Passage,
    PROV.Entity,
    PROV.Agent,
    PROV.Organization,
)
_UNATTRIBUTED = (
    "fact with no provenance: it is in the default graph, not in the graph of a passage of a "
    "registered source document"
)
_IN_ENTITIES = (
    "relationship in the curated descriptions graph: move it to the graph of the passage that "
    "states it"
)
_IN_PROVENANCE = (
    "statement in the provenance graph about something that is neither a source document nor a "
    "passage"
)
_UNREGISTERED = (
    "fact in a named graph that is not a registered paccto:Passage, so no source document and "
    "span support it"
)


def _standard_graphs(ids: Identifiers) -> str:
    graphs = (ids.entities_graph, ids.provenance_graph, ids.unattributed_graph, ids.ontology_graph)
    return ", ".join(_iri(graph) for graph in graphs)


def _unattributed(runner: _Runner, ids: Identifiers) -> list[Solution]:
    """Facts given outside any named graph (kept in ``ids.unattributed_graph``)."""
    return runner.rows(
        "provenance rule",
        f"SELECT ?s ?p WHERE {{ GRAPH {_iri(ids.unattributed_graph)} {{ ?s ?p ?o }} }}",
    )


def _relationships(runner: _Runner, ids: Identifiers) -> list[Solution]:
    """Statements of the descriptions graph whose predicate is not descriptive.

    The graph's few predicates are listed first, so that only the triples of the others are
    read: testing each triple's predicate against the list would cost one test per triple.
    """
    graph = _iri(ids.entities_graph)
    predicates = runner.rows(
        "provenance rule", f"SELECT DISTINCT ?p WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
    )
    others = sorted(
        str(row["p"]) for row in predicates if _rdflib(row["p"]) not in DESCRIPTIVE_PREDICATES
    )
    if not others:
        return []
    return runner.rows(
        "provenance rule",
        f"SELECT ?s ?p WHERE {{ VALUES ?p {{ {' '.join(others)} }} GRAPH {graph} {{ ?s ?p ?o }} }}",
    )


def _unsourced(runner: _Runner, ids: Identifiers) -> list[Solution]:
    """Statements of the provenance graph about what is typed there as none of its classes."""
    classes = " ".join(_iri(c) for c in _PROVENANCE_CLASSES)
    return runner.rows(
        "provenance rule",
        f"SELECT ?s ?p WHERE {{ GRAPH {_iri(ids.provenance_graph)} {{ ?s ?p ?o "
        f"MINUS {{ ?s {_iri(RDF.type)} ?c . VALUES ?c {{ {classes} }} }} }} }}",
    )


def _unregistered(runner: _Runner, ids: Identifiers) -> list[Solution]:
    """Facts in named graphs that are neither standard graphs nor registered passages."""
    provenance = _iri(ids.provenance_graph)
    return runner.rows(
        "provenance rule",
        f"SELECT ?g ?s ?p WHERE {{ {{ SELECT ?g WHERE {{ GRAPH ?g {{ }} "
        f"FILTER(?g NOT IN ({_standard_graphs(ids)})) "
        f"MINUS {{ GRAPH {provenance} {{ ?g {_iri(RDF.type)} {_iri(PACCTO.Passage)} }} }} "
        f"}} }} GRAPH ?g {{ ?s ?p ?o }} }}",
    )


#: The parts of the provenance rule: each finds (?s, ?p) rows, and the message says which part;
#: where it is None, the rows name their graph as ?g and the message is made per graph.
_RULE: tuple[tuple[str, Callable[[_Runner, Identifiers], list[Solution]], str | None], ...] = (
    ("unattributed", _unattributed, f"{_UNATTRIBUTED} (graph default)"),
    ("entities", _relationships, _IN_ENTITIES),
    ("provenance", _unsourced, _IN_PROVENANCE),
    ("unregistered", _unregistered, None),
)


def _provenance_violations(
    ids: Identifiers, label: str, message: str | None, rows: Sequence[Solution]
) -> list[Violation]:
    graph_name = {"entities": ids.entities_graph, "provenance": ids.provenance_graph}.get(label)
    if graph_name is not None:
        message = f"{message} (graph {ids.compact(str(graph_name))})"
    violations = []
    for row in rows:
        text = message
        if text is None:
            graph = _rdflib(row["g"])
            text = f"{_UNREGISTERED} (graph {_text(ids, graph) or graph})"
        violations.append(
            Violation(
                focus=_text(ids, _rdflib(row["s"])) or "?",
                path=_text(ids, _rdflib(row["p"])),
                message=text,
                shape=PROVENANCE_RULE,
            )
        )
    return sorted(violations, key=lambda v: (v.message, v.focus, v.path or ""))


def _span_query(ids: Identifiers) -> str:
    """Passages ending past the end of their document, as ``_spans_outside_documents`` finds
    them: both numbers written in decimal digits."""
    digits = '"^[0-9]+$"'
    return (
        f"SELECT ?passage ?end ?length WHERE {{ GRAPH {_iri(ids.provenance_graph)} {{ "
        f"?passage {_iri(RDF.type)} {_iri(PACCTO.Passage)} ; {_iri(PROV.wasDerivedFrom)} ?doc ; "
        f"{_iri(OA.end)} ?end . ?doc {_iri(PACCTO.characterCount)} ?length }} "
        f"FILTER(isLiteral(?end) && isLiteral(?length) && REGEX(STR(?end), {digits}) && "
        f"REGEX(STR(?length), {digits}) && "
        f"{_iri(XSD.integer)}(STR(?end)) > {_iri(XSD.integer)}(STR(?length))) }}"
    )


def _span_violations(ids: Identifiers, rows: Sequence[Solution]) -> list[Violation]:
    violations = []
    for row in rows:
        end, length = row["end"], row["length"]
        assert isinstance(end, ox.Literal) and isinstance(length, ox.Literal)
        violations.append(
            Violation(
                focus=_text(ids, _rdflib(row["passage"])) or "?",
                path="oa:end",
                message=(
                    f"the passage ends after the end of its document ({int(length.value)} "
                    "characters)"
                ),
                value=end.value,
                shape=SPAN_RULE,
            )
        )
    return sorted(violations, key=lambda v: (v.focus, v.value or ""))


def store_violations(
    store: ox.Store,
    ids: Identifiers,
    *,
    require_provenance: bool = True,
    timings: dict[str, float] | None = None,
) -> list[Violation]:
    """Every problem in the store, as ``validation.validate`` finds it in the same data.

    The store's default graph must hold the merge of its data graphs, without the ontology;
    its named graphs are the graphs as loaded, facts given outside any graph being in
    ``ids.unattributed_graph``. The answer is the SHACL results sorted as
    ``validation.shacl_violations`` sorts them, then passages ending past their document, then
    (with ``require_provenance``) facts that break the provenance rule; violations come before
    warnings and infos. An empty list means the store may be used.

    Parameters
    ----------
    timings
        If given, filled with the seconds spent per shape and rule (summed over the threads,
        which run at once), for benchmarks.
    """
    shacl, spans, provenance = _validate(
        store, ids, _compiled(), rules=True, provenance=require_provenance, timings=timings
    )
    violations = [*shacl, *spans, *provenance]
    return [v for v in violations if v.severity == "Violation"] + [
        v for v in violations if v.severity != "Violation"
    ]
