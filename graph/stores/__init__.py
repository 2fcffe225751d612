"""Where a graph lives besides memory: a versioned Oxigraph folder on disk, or a SPARQL server;
the registry of store kinds."""
