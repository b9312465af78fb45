"""The SDK's version, in one place (kept equal to pyproject.toml's by a test)."""

__version__ = "1.0.0.dev0"
