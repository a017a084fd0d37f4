"""The import layers (pyproject's [tool.importlinter], checked by `lint-imports` in make lint)
name every module of the two packages: a new module must take its place in a layer, or the
layers contract would silently not look at it."""

from __future__ import annotations

import pkgutil
import re
import tomllib
from pathlib import Path

import dedupe
import loaders

ROOT = Path(__file__).resolve().parent.parent


def _layered() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    # the project-wide contract (the others layer the modules of one package)
    [contract] = [c for c in contracts if c["type"] == "layers" and "containers" not in c]
    return {name for layer in contract["layers"] for name in re.split(r"[|:]", layer)} - {""}


def test_every_module_has_a_layer():
    layered = {name.strip() for name in _layered()}
    modules = {
        f"{package.__name__}.{info.name}"
        for package in (loaders, dedupe)
        for info in pkgutil.iter_modules(package.__path__)
    }
    assert modules - layered == set(), "add these modules to a layer in pyproject.toml"
    assert layered - modules == set(), "the layers name modules that no longer exist"
