"""The documents the hub accepts and emits, described in our own words."""
