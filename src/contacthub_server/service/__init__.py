"""The hub's rules: plain functions that a test can call without HTTP."""
