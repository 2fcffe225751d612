"""The HTTP service: ``create_app(kg, settings)``, one router per resource, the explorer pages,
the SPARQL endpoint, problems, and the limits and headers every answer gets."""
