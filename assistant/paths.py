"""Where the assistant keeps its files.

The platform's user dirs (platformdirs) by default; `NES_ASISTAN_HOME` moves everything
under one folder, which tests and the demo use so a run never touches the real profile.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

APP_NAME = "nes-asistan"


def _dir(kind: str) -> Path:
    home = os.environ.get("NES_ASISTAN_HOME")
    if home:
        path = Path(home) / kind
    else:
        import platformdirs  # imported here: not needed for --help

        finders: dict[str, Callable[..., str]] = {
            "data": platformdirs.user_data_dir,
            "log": platformdirs.user_log_dir,
            "cache": platformdirs.user_cache_dir,
            "config": platformdirs.user_config_dir,
            "run": platformdirs.user_runtime_dir,
        }
        path = Path(finders[kind](APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def data_dir() -> Path:
    """Conversation state (SQLite). Never holds a secret."""
    return _dir("data")


def log_dir() -> Path:
    return _dir("log")


def cache_dir() -> Path:
    """Revocation answers (OCSP/CRL) until their nextUpdate."""
    return _dir("cache")


def config_dir() -> Path:
    return _dir("config")


def runtime_dir() -> Path:
    """The agent's socket: private to the user (0700), gone after a reboot on Linux."""
    return _dir("run")


def agent_socket() -> Path:
    """Where the agent listens: known here, below every caller, so a front end or the
    doctor can find a running agent without importing it."""
    return runtime_dir() / "agent.sock"
