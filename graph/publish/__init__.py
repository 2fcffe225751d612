"""The graph given out whole or by resource: exports in RDF and graph formats, and linked-data
descriptions of identifiers."""
