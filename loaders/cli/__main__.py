"""``python -m loaders.cli`` is ``amx``."""

import sys

from loaders.cli import app

sys.exit(app())
