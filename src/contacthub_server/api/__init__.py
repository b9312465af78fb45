"""The hub's HTTP layer: routes, request parsing, envelopes, auth, fault injection."""
