"""The web: fetching pages (the only HTTP client, every limit) and reading their metadata."""
