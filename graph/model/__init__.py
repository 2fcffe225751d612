"""The graph itself: the rdflib dataset and its identifiers, dates, and the networkx projection
that paths, memberships and views run on."""
