"""Reading input: parsing RDF files safely, validating them against the shapes and the provenance
rules, and loading the knowledge graph all or nothing."""
