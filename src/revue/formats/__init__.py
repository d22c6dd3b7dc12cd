"""File formats: pure parsers and writers of imports, exports, feeds and OPML."""
