"""The review as text: date phrases, Markdown and HTML markup, rendering, social posts.

Pure: no clock, no network, no writes.
"""
