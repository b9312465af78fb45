"""The hub's store: tables, migrations and SQL on SQLite and PostgreSQL (SQLAlchemy Core).

`Store.connect(url)` opens and migrates a database; `Store.read()` and `Store.write()` give a
`Tx` whose methods read and write customers, events, sessions, nodes and tokens, each scoped by
workspace id. See docs/internals.md, "Seam 1".
"""

from .errors import MatchKeyConflict, SessionTaken
from .ordering import InvalidPath
from .store import Store
from .tx import Tx

__all__ = ["InvalidPath", "MatchKeyConflict", "SessionTaken", "Store", "Tx"]
