"""The questions the graph answers: name resolution, paths, memberships, neighbourhoods,
analytics, statistics, entity descriptions and sources."""
