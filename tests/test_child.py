"""loaders/child.py: the load runs in a forked child while the parent parses the dbt project.
What crosses back must be exactly what an in-process call would have given."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from loaders.child import Child
from loaders.vendor_files import VendorFileError


def _add(a: int, b: int) -> dict:
    return {"sum": a + b, "pid": os.getpid()}


def _refuse() -> None:
    raise VendorFileError(["a.json: row 3: key 'Name' is empty", "b.json: the file is empty"])


class _Unpicklable(Exception):
    def __init__(self, handle):
        super().__init__("held a socket")
        self.handle = handle


def _unpicklable() -> None:
    raise _Unpicklable(lambda: None)  # a lambda cannot be pickled


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_the_result_comes_back_from_another_process():
    got = Child(_add, 2, 3).result()
    assert got["sum"] == 5
    assert got["pid"] != os.getpid()


def test_a_refusal_comes_back_with_every_problem():
    with pytest.raises(VendorFileError) as caught:
        Child(_refuse).result()
    assert caught.value.problems == [
        "a.json: row 3: key 'Name' is empty",
        "b.json: the file is empty",
    ]
    assert str(caught.value).startswith("2 problems in the delivery:")


def test_an_exception_that_cannot_cross_comes_back_in_words():
    with pytest.raises(RuntimeError, match="_Unpicklable: held a socket"):
        Child(_unpicklable).result()


def test_a_child_killed_without_a_word_is_an_error():
    with pytest.raises(RuntimeError, match=r"without a result \(exit code -9\)"):
        Child(_die).result()


def test_the_child_dies_with_its_parent(tmp_path):
    pid_file = tmp_path / "child.pid"
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import os, time
                from loaders.child import Child

                def _sleep():
                    open({str(pid_file)!r}, "w").write(str(os.getpid()))
                    time.sleep(60)

                Child(_sleep).result()
                """
            ),
        ]
    )
    try:
        deadline = time.monotonic() + 30
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline, "the child never started"
            time.sleep(0.05)
        child_pid = int(pid_file.read_text())
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 10
        while _alive(child_pid):
            assert time.monotonic() < deadline, "the child outlived its killed parent"
            time.sleep(0.05)
    finally:
        parent.kill()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"  # a zombie has finished
    except FileNotFoundError:
        return False
