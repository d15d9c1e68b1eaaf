"""Per-model compiled kernels: a copy of :mod:`fastdescent.models._template` per model.

For each model a copy of the template is generated whose one ``MODEL-KERNELS`` line imports
that model's per-example kernels, so that every block kernel and evaluation helper is compiled
with them inlined (the loop over trajectories vectorizes) and cached on disk
(:mod:`fastdescent.codegen`). The module name hashes the template, the contract, the fast math
functions, the built-in models' sources and the kernels' own module, so an edit of any of them
never reuses a stale cache. The engine's worker receives the block kernels as first-class
functions; :class:`~fastdescent.models.base.Model` uses the evaluation helpers.
"""
from __future__ import annotations

import types
from pathlib import Path

from ..codegen import LOCK, ROOT, exec_dynamic, import_generated, module_hash, sources_hash

_TEMPLATE = Path(__file__).with_name("_template.py")
_MARK = "# MODEL-KERNELS"
_MODULES: dict = {}
_HASH: list = []


def _engine_hash() -> str:
    if not _HASH:
        _HASH.append(sources_hash(ROOT / "contract.py", ROOT / "fastmath.py",
                                  *sorted((ROOT / "models").glob("*.py"))))
    return _HASH[0]


def _source_with(import_line: str) -> str:
    lines = _TEMPLATE.read_text().splitlines(keepends=True)
    return "".join(import_line + "\n" if _MARK in ln else ln for ln in lines)


def compiled_for(model) -> types.ModuleType:
    """The compiled kernel module for ``model``'s kernels (generated and imported once)."""
    k = model.kernels
    key = tuple(k)
    mod = _MODULES.get(key)
    if mod is not None:
        return mod
    with LOCK:
        mod = _MODULES.get(key)
        if mod is None:
            mod = _build(k)
            _MODULES[key] = mod
    return mod


#: the block kernels' per-example form of a ``loss_grad(p, x, y, c, g)`` model: column ``b``
#: of the block and row ``i`` of the data as views (inlined: no copies), the loss-only path
#: with the lane's scratch column of ``work`` as the gradient it discards
_POINT_ADAPTER = """
@njit(inline="always", error_model="numpy")
def model_example(phi, b, X, Y, i, c, work, grad):
    return point_loss_grad(phi[:, b], X[i], Y[i], c, grad[:, b])


@njit(inline="always", error_model="numpy")
def model_loss(phi, b, X, Y, i, c, work):
    return point_loss_grad(phi[:, b], X[i], Y[i], c, work[:, b])
"""


def _roles(k) -> list[tuple[str, object]]:
    """(name in the generated module, njit function) of the kernels ``k`` gives."""
    if k.block is not None:
        named = [("model_block", k.block), ("model_block_loss", k.block_loss),
                 ("model_hessian", k.example_hessian)]
    elif k.loss_grad is not None:
        named = [("point_loss_grad", k.loss_grad), ("model_hessian", k.example_hessian)]
    else:
        named = [("model_example", k.example), ("model_loss", k.example_loss),
                 ("model_hessian", k.example_hessian)]
    return [(a, f) for a, f in named if f is not None]


def _kernel_lines(k, imports: list[str]) -> str:
    """What replaces the ``MODEL-KERNELS`` line: the kernels' imports (or nothing, for
    kernels given in the namespace), the absent roles as None, and the adapter."""
    given = {a for a, _ in _roles(k)}
    lines = list(imports) + [f"{a} = None" for a in ("model_hessian",) if a not in given]
    if k.block is not None:
        lines += ["BLOCK_FORM = True", "model_example = model_loss = None"]
    if k.loss_grad is not None:
        lines.append(_POINT_ADAPTER)
    return "\n".join(lines) if lines else "pass"


def generated(k) -> tuple[str, str] | None:
    """Module name and source of the compiled kernels for kernels ``k``; None for kernels
    that cannot be imported back (defined in ``__main__``, a notebook or a closure)."""
    roles = _roles(k)
    got = module_hash(_engine_hash(), [f for _, f in roles])
    if got is None:
        return None
    names, h = got
    imports = [f"from {n[0]} import {n[1]} as {a}  {_MARK}" for (a, _), n in zip(roles, names)]
    src = _source_with(_kernel_lines(k, imports))
    h.update(src.encode())
    tag = names[0][1].replace("_example", "").replace("_loss_grad", "").replace("_block", "")
    return f"fd_engine_{tag}_{h.hexdigest()[:16]}", src


def _build(k) -> types.ModuleType:
    gen = generated(k)
    if gen is not None:
        return import_generated(*gen)
    return exec_dynamic(f"fd_engine_dynamic_{id(k.main):x}", _source_with(_kernel_lines(k, [])),
                        dict(_roles(k)), f"<fastdescent engine for {k.main.py_func.__qualname__}>")
