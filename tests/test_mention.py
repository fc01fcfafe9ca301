"""The mention model and the import graph of midan's modules: every stage imports downward, none in a cycle."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "midan"
MODULES = sorted(path.stem for path in PACKAGE.glob("*.py"))
STAGES = ("mention", "nlp", "actors", "counts", "detect", "geo", "georank", "timex", "dating", "assemble",
          "pipeline")


def imports(source: str) -> set[str]:
    """The midan modules a module's source imports, wherever the statement stands (in a function, under
    ``if TYPE_CHECKING:``); ``from midan import x`` imports the module ``x``, other names of the package are
    ``__init__``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] if node.module != "midan" else [f"midan.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "midan":
                found.add(parts[1] if len(parts) > 1 and parts[1] in MODULES else "__init__")
    return found


def graph() -> dict[str, set[str]]:
    return {name: imports((PACKAGE / f"{name}.py").read_text(encoding="utf-8")) - {name} for name in MODULES}


def cycle(edges: dict[str, set[str]]) -> list[str]:
    """One import cycle of the graph as the modules along it (empty when there is none)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(name: str) -> list[str]:
        state[name] = 1
        path.append(name)
        for other in sorted(edges.get(name, ())):
            if state.get(other) == 1:
                return [*path[path.index(other):], other]
            if other not in state and (found := visit(other)):
                return found
        path.pop()
        state[name] = 2
        return []

    for name in sorted(edges):
        if name not in state and (found := visit(name)):
            return found
    return []


@pytest.mark.parametrize("name", STAGES)
def test_stage_modules_import(name):
    assert importlib.import_module(f"midan.{name}").__name__ == f"midan.{name}"


def test_import_graph_has_no_cycle():
    assert cycle(graph()) == []


def test_mention_model_imports_no_stage():
    assert graph()["mention"] <= {"gazetteer", "schema"}


def test_cycle_finder_sees_cycles_through_type_checking_and_function_imports():
    source_a = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from midan.detect import Mention\n"
    source_b = "def f():\n    from midan import actors\n"
    edges = {"actors": imports(source_a), "detect": imports(source_b), "mention": imports("import midan.schema")}
    assert edges == {"actors": {"detect"}, "detect": {"actors"}, "mention": {"schema"}}
    assert cycle(edges) == ["actors", "detect", "actors"]
