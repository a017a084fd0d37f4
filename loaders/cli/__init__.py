"""``amx``: the command line (``main``: the app and its commands; ``link``: ``amx link …``;
``output``: what the commands print)."""

from loaders.cli.main import app

__all__ = ["app"]
