"""The store: the SQLite database (Store), its migrations, backup and restore."""
