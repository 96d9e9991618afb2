"""The user's own database of everything fetched: see `database.Store`.

`database` holds the connection, reads and writes; `schema` the migrations and the
checks made before a file is touched; `ranking_sql` the SQL written for the engine;
`rows` the rows to models and back.
"""

from tiktune_tui.library.store.database import Store
from tiktune_tui.library.store.schema import MIGRATIONS, SCHEMA_VERSION, StoreError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Store", "StoreError"]
