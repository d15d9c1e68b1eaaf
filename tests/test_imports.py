"""The package's import graph: no cycles, and every import points down the layers.

Layers, bottom to top (a module may import its own layer and the ones below):

0. ``contract``, ``codegen``, ``fastmath``, ``_cpu``, ``_version``: the kernel contract, the
   machinery to compile generated modules, and leaf helpers;
1. ``models``, ``optim``: what people add (they never import each other);
2. ``engine``: runs models with optimizers;
3. ``analysis``; 4. ``plotting``; 5. ``cli``, ``figures``, ``explore``, ``__main__``, the package
   itself.

Every ``import`` statement counts, including those inside functions (imported later, but a
dependency all the same). Built from the source with :mod:`ast`, without importing anything.
"""
from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "fastdescent"

LAYERS = {
    "contract": 0, "codegen": 0, "fastmath": 0, "_cpu": 0, "_version": 0,
    "models": 1, "optim": 1,
    "engine": 2,
    "analysis": 3,
    "plotting": 4,
    "cli": 5, "figures": 5, "explore": 5, "__main__": 5, "__init__": 5,
}


def module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """The fastdescent modules ``path`` imports (``from x import y`` counts ``x.y`` when that
    is a module, else ``x``)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            for a in node.names:
                sub = f"{mod}.{a.name}"
                found.add(sub if _exists(sub) else mod)
    return {m for m in found if m == "fastdescent" or m.startswith("fastdescent.")}


def _exists(mod: str) -> bool:
    p = PKG.parent.joinpath(*mod.split("."))
    return p.with_suffix(".py").exists() or (p / "__init__.py").exists()


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in sorted(PKG.rglob("*.py"))
            if "__pycache__" not in p.parts}


def layer(mod: str) -> int:
    parts = mod.split(".")
    return LAYERS["__init__"] if len(parts) == 1 else LAYERS[parts[1]]


def find_cycle(g: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the module graph (as a list of modules), or None."""
    WHITE, GREY, BLACK = 0, 1, 2
    color = dict.fromkeys(g, WHITE)
    stack: list[str] = []

    def visit(u):
        color[u] = GREY
        stack.append(u)
        for v in sorted(g.get(u, ())):
            if v not in g or v == u:
                continue
            if color[v] == GREY:
                return stack[stack.index(v):] + [v]
            if color[v] == WHITE:
                got = visit(v)
                if got:
                    return got
        stack.pop()
        color[u] = BLACK
        return None

    for u in sorted(g):
        if color[u] == WHITE:
            got = visit(u)
            if got:
                return got
    return None


def test_the_graph_is_complete():
    g = graph()
    assert "fastdescent.contract" in g and "fastdescent.optim.rules.lion" in g
    assert "fastdescent.contract" in g["fastdescent.engine.worker"]
    assert "fastdescent.optim.rules" in g["fastdescent.optim.registry"]


def test_no_import_cycles():
    cycle = find_cycle(graph())
    assert cycle is None, " -> ".join(cycle)


def test_every_import_points_down_the_layers():
    bad = [f"{u} (layer {layer(u)}) imports {v} (layer {layer(v)})"
           for u, vs in graph().items() for v in vs
           if layer(v) > layer(u)]
    assert not bad, "\n".join(bad)


def test_models_and_optimizers_do_not_import_each_other():
    bad = [(u, v) for u, vs in graph().items() for v in vs
           if {u.split(".")[1:2][0] if "." in u else "", v.split(".")[1:2][0] if "." in v else ""}
           == {"models", "optim"}]
    assert not bad


def test_the_contract_imports_nothing_from_the_package():
    g = graph()
    assert g["fastdescent.contract"] == set()
    assert g["fastdescent.codegen"] == set()


def test_the_worker_imports_only_the_contract():
    assert graph()["fastdescent.engine.worker"] == {"fastdescent.contract"}


def test_a_cycle_is_detected():
    """The checker itself: a two-module cycle and a longer one are found."""
    assert find_cycle({"a": {"b"}, "b": {"a"}}) is not None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_only_the_command_line_and_the_package_import_the_explorer():
    """``fastdescent.explore`` (the optional live explorer) is a leaf: only its own modules, the
    ``explore`` command and the lazy ``fd.explore`` import it."""
    bad = [u for u, vs in graph().items()
           if any(v.startswith("fastdescent.explore") for v in vs)
           and not u.startswith("fastdescent.explore")
           and u not in ("fastdescent", "fastdescent.cli.commands")]
    assert not bad, bad
