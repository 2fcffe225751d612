"""Drawing views: what a view shows, its layout and style, the interactive pyvis page and the
static SVG/PNG figure."""
