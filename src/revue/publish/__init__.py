"""Outputs: one module per target, each implementing `base.Target`.

`revue.app.publish` is the use case that builds a `Publication` from the store and records
the `Result`; targets never touch the store.
"""
