"""Run one function in a forked child process while this process goes on with other work.

``amx run`` lands the delivery in a child while it parses the dbt project: both are Python work
held by one interpreter lock each, so on two cores they overlap instead of queueing. The child
dies with its parent (Linux ``PR_SET_PDEATHSIG``): a killed ``amx`` leaves no load running on its
own. The child's result or exception comes back through a pipe; an exception that cannot be
pickled comes back as a ``RuntimeError`` naming its type and message, so nothing is swallowed.
"""

from __future__ import annotations

import ctypes
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


def _child_main(sender, fn: Callable[..., Any], args: tuple) -> None:
    _die_with_parent()
    try:
        outcome = ("ok", fn(*args))
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        outcome = ("error", _picklable(exc))
    sender.send(outcome)
    sender.close()


class Child:
    """``fn(*args)`` started in a forked process; :meth:`result` waits for it."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        context = multiprocessing.get_context("fork")
        self._receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_child_main, args=(sender, fn, args), daemon=True)
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
