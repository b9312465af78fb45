"""The local ContactHub hub: a durable server speaking the ContactHub REST API v1."""
