"""SPARQL over the graph: the query check, the worker processes that evaluate public queries, the
result writers, the service description and the stored competency queries."""
