"""Support classes: read-only and paginated lists, JSON and date utilities."""
