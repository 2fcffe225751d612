"""Content negotiation: which of the media types a route offers does the client prefer?

Follows RFC 9110 section 12.5.1: quality values, ``type/*`` and ``*/*`` ranges, ``q=0`` as
"not this", and the most specific range deciding a type's quality. Ties keep the route's own
order, so its first offer is the default for ``*/*`` or a missing ``Accept``.
"""

from __future__ import annotations

__all__ = ["acceptable_types"]


def _ranges(header: str) -> list[tuple[str, str, float]]:
    ranges = []
    for part in header.split(","):
        pieces = [piece.strip() for piece in part.split(";")]
        media = pieces[0].lower()
        if "/" not in media:
            continue
        main, sub = media.split("/", 1)
        quality = 1.0
        for parameter in pieces[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    quality = 0.0
        ranges.append((main.strip(), sub.strip(), quality))
    return ranges


def _quality(offer: str, ranges: list[tuple[str, str, float]]) -> float | None:
    main, sub = offer.lower().split("/", 1)
    best: tuple[int, float] | None = None
    for range_main, range_sub, quality in ranges:
        if (range_main, range_sub) == (main, sub):
            specificity = 2
        elif range_main == main and range_sub == "*":
            specificity = 1
        elif (range_main, range_sub) == ("*", "*"):
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, quality)
    return None if best is None else best[1]


def acceptable_types(accept: str | None, offered: list[str]) -> list[str]:
    """The offered media types the client accepts, most preferred first (empty: 406).

    Examples
    --------
    >>> acceptable_types("text/csv;q=0.5, application/sparql-results+json",
    ...                  ["application/sparql-results+xml", "application/sparql-results+json",
    ...                   "text/csv"])
    ['application/sparql-results+json', 'text/csv']
    >>> acceptable_types(None, ["text/turtle", "application/ld+json"])
    ['text/turtle', 'application/ld+json']
    """
    if accept is None or not accept.strip():
        return list(offered)
    ranges = _ranges(accept)
    if not ranges:
        return list(offered)
    scored = []
    for position, offer in enumerate(offered):
        quality = _quality(offer, ranges)
        if quality:
            scored.append((-quality, position, offer))
    return [offer for _, _, offer in sorted(scored)]
