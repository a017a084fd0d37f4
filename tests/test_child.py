"""loaders/child.py: the load runs in a child process while the parent parses the dbt project.
What crosses back must be exactly what an in-process call would have given."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from loaders.child import Child
from loaders.vendor_files import VendorFileError

ROOT = Path(__file__).resolve().parents[1]
HERE = f"{__name__}:"  # the child imports this module to find the function


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
    got = Child(HERE + "_add", 2, 3).result()
    assert got["sum"] == 5
    assert got["pid"] != os.getpid()


def test_a_refusal_comes_back_with_every_problem():
    with pytest.raises(VendorFileError) as caught:
        Child(HERE + "_refuse").result()
    assert caught.value.problems == [
        "a.json: row 3: key 'Name' is empty",
        "b.json: the file is empty",
    ]
    assert str(caught.value).startswith("2 problems in the delivery:")


def test_an_exception_that_cannot_cross_comes_back_in_words():
    with pytest.raises(RuntimeError, match="_Unpicklable: held a socket"):
        Child(HERE + "_unpicklable").result()


def test_a_child_killed_without_a_word_is_an_error():
    with pytest.raises(RuntimeError, match=r"without a result \(exit code -9\)"):
        Child(HERE + "_die").result()


def _write_pid_and_sleep(pid_file: str) -> None:
    with open(pid_file, "w") as out:
        out.write(str(os.getpid()))
    time.sleep(60)


def test_the_child_dies_with_its_parent(tmp_path):
    pid_file = tmp_path / "child.pid"
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                from loaders.child import Child

                Child({HERE + "_write_pid_and_sleep"!r}, {str(pid_file)!r}).result()
                """
            ),
        ],
        cwd=ROOT,
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


def test_a_function_is_named_by_module_and_name():
    with pytest.raises(ValueError, match="module:function"):
        Child("len", [])


def _imported(module: str) -> bool:
    return module in sys.modules


def test_the_child_is_a_fresh_interpreter_not_a_copy_of_the_parent():
    """A fork copies a parent that may already run threads (DuckDB's pool after a linkage run, dbt's
    workers, TLS connections) into a child that has none of them: the load crashed that way in CI
    (exit code -11). The child starts clean instead: nothing the parent imported is in it."""
    import duckdb

    duckdb.connect().execute("select count(*) from range(1000000)").fetchall()  # threads running
    assert _imported("duckdb")
    assert Child(HERE + "_imported", "duckdb").result() is False
