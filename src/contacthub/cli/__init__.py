"""The ``contacthub`` command: run the local hub, import and export customers and events.

::

    contacthub serve [--port 8080 ...]             run the local hub (needs contacthub[server])
    contacthub customers import FILE [...]         CSV or JSON Lines, concurrently, resumable
    contacthub customers export [--query JSON]     JSON Lines or CSV, page by page
    contacthub customers get ID
    contacthub customers query --email E | --external-id X | --query JSON
    contacthub events import FILE [...]
    contacthub events export [--customer-id ID ...]

Credentials come from flags (``--workspace-id``, ``--token``, ``--base-url``, ``--node-id``),
else the ``CONTACTHUB_*`` environment variables, else an INI file (``--config``, or
``contacthub.ini`` in the current directory: the file ``contacthub serve`` writes).

Exit codes: 0 success; 1 some rows failed to import (or a lookup failed); 2 bad usage, input or
configuration (nothing was imported); 130 interrupted (``--resume`` continues).
"""

from contacthub.cli.commands import build_parser, main

__all__ = ["build_parser", "main"]
