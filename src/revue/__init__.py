"""revue: a command-line press-review curator."""

__version__ = "0.1.0"
