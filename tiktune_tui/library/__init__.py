"""Songs and where they come from: the bundled catalog, the store, the sources, tags, history, and `recommend`."""
