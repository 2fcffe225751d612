"""Talks SPARQL 1.1 Protocol to the server behind a ``sparql:URL`` store.

Why this shape:

* **SPARQLWrapper sends, pyoxigraph reads.** SPARQLWrapper knows the protocol's forms and the
  servers' authentication; pyoxigraph's result parsers read the answers as a stream, so a large
  answer is cut at the cap instead of being held whole, and the terms come back exactly as the
  server wrote them (Virtuoso's JSON says ``typed-literal``; its XML results are standard).
* **Form-encoded POST**, never a direct ``application/sparql-query`` body, which Virtuoso 7.2
  never answers, and never GET, whose URL length limits a query with many ``VALUES``.
* **Our prefixes travel with every query**: servers know none of ``id:`` or ``paccto:``.
* **One error per failure the user can act on**: a refused query is a :class:`QueryError` with
  the server's own words, a slow one a :class:`QueryTimeoutError`, anything else a
  :class:`StoreUnavailableError` naming the server, never a traceback.
"""

from __future__ import annotations

import urllib.error
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import IO, Any, Protocol, overload

import pyoxigraph as ox
from rdflib import XSD, BNode, Graph, Literal, URIRef
from rdflib.query import Result
from rdflib.term import Identifier, Node, Variable
from SPARQLWrapper import BASIC, DIGEST, POST, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from paccto.graph.errors import (
    QueryError,
    QueryTimeoutError,
    StoreRequestFailedError,
    StoreUnavailableError,
)
from paccto.graph.model.identifiers import Identifiers
from paccto.graph.settings import Settings

__all__ = ["SparqlClient", "SparqlSource", "from_oxigraph", "select_rows"]

_RESULTS_XML = "application/sparql-results+xml"
_TURTLE = "text/turtle"
_SERVER_MESSAGE_LIMIT = 400


class SparqlSource(Protocol):
    """What the ``sparql:URL`` store's fetching asks of whatever answers its SPARQL: a server
    through :class:`SparqlClient`, or an Oxigraph store in this process
    (:class:`paccto.graph.stores.local_sparql.LocalSparqlClient`), so that the one fetching logic
    runs over either. Texts come without prefixes: the source adds its own."""

    @property
    def location(self) -> str:
        """Where the answers come from, as messages name it."""
        ...

    def select(self, text: str) -> list[tuple[Node | None, ...]]:
        """Every row of a SELECT, as rdflib terms in the order of the projected variables."""
        ...

    def ask(self, text: str) -> bool: ...

    def solutions(
        self, text: str, parameters: Sequence[tuple[str, str]] = ()
    ) -> AbstractContextManager[ox.QuerySolutions | ox.QueryBoolean]:
        """A SELECT or ASK answer, read as a stream."""
        ...

    def triples(
        self, text: str, parameters: Sequence[tuple[str, str]] = ()
    ) -> AbstractContextManager[Iterator[ox.Triple]]:
        """A CONSTRUCT or DESCRIBE answer, as a stream of triples."""
        ...


@dataclass(frozen=True)
class SparqlClient:
    """Where the server is, who we are to it, and how long we wait for it."""

    query_url: str
    prefixes: dict[str, str]
    user: str | None = None
    password: str | None = None
    auth: str = "basic"
    timeout: float = 60.0
    #: Where SPARQL Update requests go; servers often take them elsewhere than queries
    #: (Virtuoso: ``/sparql-auth``, Fuseki: ``/ds/update``). ``None``: the query URL.
    update_url: str | None = None
    #: Server pragmas sent before the prefixes of every query (Virtuoso's ``define ...``).
    pragmas: str = ""

    @classmethod
    def from_settings(cls, query_url: str, settings: Settings) -> SparqlClient:
        """The client the ``PACCTO_STORE_*`` settings describe, with the base IRI's prefixes."""
        password = settings.store_password.get_secret_value() if settings.store_password else None
        return cls(
            query_url=query_url,
            prefixes=dict(Identifiers(settings.base_iri).prefixes()),
            user=settings.store_user,
            password=password,
            auth=settings.store_auth,
            timeout=settings.store_timeout,
            update_url=settings.store_update_url,
        )

    @property
    def location(self) -> str:
        return self.query_url

    def prologue(self) -> str:
        prefixes = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in self.prefixes.items())
        return self.pragmas + prefixes

    def _wrapper(
        self, url: str, text: str, accept: str, parameters: Sequence[tuple[str, str]]
    ) -> Any:
        wrapper = SPARQLWrapper(url)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setTimeout(max(1, round(self.timeout)))
        wrapper.setOnlyConneg(True)
        wrapper.addCustomHttpHeader("Accept", accept)
        if self.user and self.password:
            wrapper.setHTTPAuth(DIGEST if self.auth == "digest" else BASIC)
            wrapper.setCredentials(self.user, self.password)
        for name, value in parameters:
            wrapper.addParameter(name, value)
        wrapper.setQuery(text)
        return wrapper

    @contextmanager
    def _response(
        self, url: str, text: str, accept: str, parameters: Sequence[tuple[str, str]] = ()
    ) -> Iterator[IO[bytes]]:
        wrapper = self._wrapper(url, text, accept, parameters)
        try:
            response = wrapper.query().response
        except SPARQLWrapperException as error:
            raise self._refused(error, url) from None
        except urllib.error.HTTPError as error:
            raise StoreUnavailableError(
                f"the SPARQL server at {url} answered {error.code} {error.reason}"
            ) from None
        except TimeoutError:
            raise QueryTimeoutError(self.timeout) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise StoreUnavailableError(
                f"the SPARQL server at {url} cannot be reached: {reason}"
            ) from None
        try:
            yield response
        except TimeoutError:
            raise QueryTimeoutError(self.timeout) from None
        finally:
            response.close()

    def _refused(self, error: SPARQLWrapperException, url: str) -> Exception:
        detail = _server_message(error)
        name = type(error).__name__
        if name == "QueryBadFormed":
            return QueryError(f"the SPARQL server at {url} refused the request: {detail}")
        if name == "Unauthorized":
            return StoreUnavailableError(
                f"the SPARQL server at {url} asks for credentials that were not "
                "given or were wrong (set PACCTO_STORE_USER and PACCTO_STORE_PASSWORD)"
            )
        if name == "EndPointNotFound":
            return StoreUnavailableError(f"no SPARQL endpoint at {url} (404)")
        return StoreRequestFailedError(f"the SPARQL server at {url} failed: {detail}")

    # -- queries -------------------------------------------------------------------------------

    @contextmanager
    def solutions(
        self, text: str, parameters: Sequence[tuple[str, str]] = ()
    ) -> Iterator[ox.QuerySolutions | ox.QueryBoolean]:
        """A SELECT or ASK answer, read as the server sends it (``text`` without prefixes)."""
        with self._response(
            self.query_url, self.prologue() + text, _RESULTS_XML, parameters
        ) as response:
            try:
                yield ox.parse_query_results(response, ox.QueryResultsFormat.XML)
            except SyntaxError as error:
                raise StoreUnavailableError(
                    f"the SPARQL server at {self.query_url} sent results that are not SPARQL "
                    f"XML results: {error}"
                ) from None

    @contextmanager
    def triples(
        self, text: str, parameters: Sequence[tuple[str, str]] = ()
    ) -> Iterator[Iterator[ox.Triple]]:
        """A CONSTRUCT or DESCRIBE answer, as a stream of triples."""
        with self._response(self.query_url, self.prologue() + text, _TURTLE, parameters) as r:
            yield ox.parse(r, ox.RdfFormat.TURTLE)

    def select(self, text: str) -> list[tuple[Node | None, ...]]:
        """Every row of a SELECT, as rdflib terms in the order of the projected variables."""
        with self.solutions(text) as results:
            return select_rows(results)

    def ask(self, text: str) -> bool:
        with self.solutions(text) as results:
            return bool(results)

    # -- updates -------------------------------------------------------------------------------

    def update(self, text: str) -> None:
        """Run a SPARQL Update request (``text`` without prefixes) at the update URL.

        Raises
        ------
        QueryError
            The server refused the request as malformed (400), with its own words.
        StoreUnavailableError
            It cannot be reached, asks for credentials, or failed, for example because the
            endpoint takes no updates; the message names the URL.
        """
        url = self.update_url or self.query_url
        with self._response(url, self.prologue() + text, "*/*") as response:
            response.read()


def select_rows(results: ox.QuerySolutions | ox.QueryBoolean) -> list[tuple[Node | None, ...]]:
    """Every row of a SELECT answer, as rdflib terms in the order of its variables."""
    if not isinstance(results, ox.QuerySolutions):
        raise QueryError("expected a SELECT query")
    variables = results.variables
    # The same predicates, graph names and neighbours come back on many rows, and building an
    # rdflib term costs far more than looking one up.
    terms: dict[Any, Node | None] = {}

    def converted(term: Any) -> Node | None:
        if term is None:
            return None
        found = terms.get(term)
        if found is None:
            found = terms[term] = from_oxigraph(term)
        return found

    return [tuple(converted(row[variable]) for variable in variables) for row in results]


def _server_message(error: SPARQLWrapperException) -> str:
    """The server's own explanation, on one line and not too long."""
    text = str(error)
    marker = "Response:\n"
    if marker in text:
        text = text.split(marker, 1)[1]
    text = text.strip().removeprefix("b'").removeprefix('b"').rstrip("'\"")
    # Virtuoso echoes the whole request after its message: the prefixes and data say nothing.
    text = text.split("\\n\\nSPARQL query:", 1)[0].split("\n\nSPARQL query:", 1)[0]
    text = " ".join(text.replace("\\n", " ").split())
    if len(text) > _SERVER_MESSAGE_LIMIT:
        text = text[:_SERVER_MESSAGE_LIMIT].rstrip() + " …"
    return text


# A term of a triple is never None: neither is what it becomes. Only an unbound variable of a
# solution (None) gives None.
@overload
def from_oxigraph(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Identifier: ...


@overload
def from_oxigraph(term: Any) -> Identifier | None: ...


def from_oxigraph(term: Any) -> Identifier | None:
    """The rdflib term for an Oxigraph one. A literal typed ``xsd:string`` becomes a simple
    literal, as rdflib keeps it when it loads a file, so both compare equal.

    Virtuoso 7.2 keeps an ``xsd:duration`` of years and months as its number of months and
    gives that number back (``"60"^^xsd:duration`` for ``P5Y``), which is no duration at all:
    such a number is written back as the duration's canonical form (``P5Y``, ``P1Y2M``)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == str(XSD.string):
            return Literal(term.value)
        if datatype == str(XSD.duration) and term.value.lstrip("-").isdigit():
            return Literal(_months_as_duration(int(term.value)), datatype=XSD.duration)
        return Literal(term.value, datatype=URIRef(datatype))
    raise QueryError(f"unexpected term in a server's answer: {term!r}")


def _months_as_duration(months: int) -> str:
    """The canonical lexical form of a duration of ``months`` months (XSD 1.1, 3.3.6.2)."""
    sign, months = ("-" if months < 0 else ""), abs(months)
    years, rest = divmod(months, 12)
    if not months:
        return "P0M"
    return f"{sign}P" + (f"{years}Y" if years else "") + (f"{rest}M" if rest else "")


def rdflib_result(answer: ox.QuerySolutions | ox.QueryBoolean | Iterable[ox.Triple]) -> Result:
    """An Oxigraph answer (solutions, a boolean or triples) as rdflib reads query results, so
    that the library's results look the same whichever Oxigraph (this process's, a server)
    answered."""
    if isinstance(answer, ox.QueryBoolean):
        result = Result("ASK")
        result.askAnswer = bool(answer)
        return result
    if isinstance(answer, ox.QuerySolutions):
        variables = [Variable(v.value) for v in answer.variables]
        result = Result("SELECT")
        result.vars = variables
        result.bindings = [
            {
                name: term
                for name in variables
                if (term := from_oxigraph(row[str(name)])) is not None
            }
            for row in answer
        ]
        return result
    graph = Graph()
    for triple in answer:
        graph.add(
            (from_oxigraph(triple.subject), from_oxigraph(triple.predicate),
             from_oxigraph(triple.object))
        )  # fmt: skip
    result = Result("CONSTRUCT")
    result.graph = graph
    return result
