"""The store: the SQLite database, by role. `db.Store` is the facade the other layers call;
`schema` opens and migrates (`migrations`), `reads` queries, `writes` is the write
transaction, `records` keeps reviews, feeds and the rest, `dump` exports and restores,
`stats` aggregates."""
