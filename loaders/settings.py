"""Where things live. Paths come from the environment so CI, tests and users can move them."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
PROFILES_DIR = PROJECT_ROOT / "profiles"
DEFAULT_SOURCE = PROJECT_ROOT / "data" / "sample"


def amx_home() -> Path:
    """``$AMX_HOME`` (default ``.amx/`` in the project root): embedded database, dlt state, runs."""
    home = Path(os.environ.get("AMX_HOME") or PROJECT_ROOT / ".amx").expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def quiet_telemetry() -> None:
    """dlt and dbt both phone home by default; this machine (and many users') cannot reach it."""
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
