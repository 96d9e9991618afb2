"""The user's own database of everything fetched: see `database.Store`."""

from tiktune_tui.library.store.database import MIGRATIONS, SCHEMA_VERSION, Store, StoreError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Store", "StoreError"]
