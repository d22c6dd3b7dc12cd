"""Use cases: add, refresh (fetch), imports, feeds, compose, check, publish.

The shell calls these; they receive the store, the fetcher and the targets, and never
print or exit.
"""
