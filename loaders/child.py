"""Run one function in a child process while this process goes on with other work.

``amx run`` lands the delivery in a child while it parses the dbt project: both are Python work
held by one interpreter lock each, so on two cores they overlap instead of queueing. The child is
a fresh interpreter (``spawn``), not a fork: a fork copies a process that may already run threads
(DuckDB, dbt, TLS connections) into one that has none, and crashed the load that way in CI. The
function is named ``"module:function"`` so this process need not import what only the child uses
(dlt). The child dies with its parent (Linux ``PR_SET_PDEATHSIG``): a killed ``amx`` leaves no
load running on its own. The result or exception comes back through a pipe; an exception that
cannot be pickled comes back as a ``RuntimeError`` naming its type and message.
"""

from __future__ import annotations

import ctypes
import importlib
import multiprocessing
import pickle
import signal
import sys
from collections.abc import Callable
from typing import Any

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _picklable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any failure to round-trip means: send words instead
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _function(target: str) -> Callable[..., Any]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _child_main(sender, target: str, args: tuple) -> None:
    _die_with_parent()
    try:
        outcome = ("ok", _function(target)(*args))
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        outcome = ("error", _picklable(exc))
    sender.send(outcome)
    sender.close()


class Child:
    """``module:function`` called with ``args`` in a child process; :meth:`result` waits for it.
    The arguments and the result cross by pickle."""

    def __init__(self, target: str, *args: Any) -> None:
        if ":" not in target:
            raise ValueError(f"a child runs a function named 'module:function', not {target!r}")
        context = multiprocessing.get_context("spawn")
        self._receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_child_main, args=(sender, target, args), daemon=True
        )
        self._process.start()
        sender.close()  # only the child writes: EOF here when it is gone

    def result(self) -> Any:
        """The function's return value; re-raises its exception. A child that died without a
        word (killed, out of memory) raises ``RuntimeError`` with its exit code."""
        try:
            status, value = self._receiver.recv()
        except EOFError:
            self._process.join()
            raise RuntimeError(
                f"the child process stopped without a result (exit code {self._process.exitcode})"
            ) from None
        finally:
            self._receiver.close()
        self._process.join()
        if status == "error":
            raise value
        return value

    def stop(self) -> None:
        """Kill the child if it still runs (the parent gave up waiting)."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
