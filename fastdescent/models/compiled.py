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

import sys
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
    """The compiled kernel module for ``model``'s kernels (generated and imported once).

    Parameters
    ----------
    model : Model

    Returns
    -------
    module

    Examples
    --------
    >>> import fastdescent as fd
    >>> from fastdescent.models.compiled import compiled_for
    >>> mod = compiled_for(fd.models.gabor())
    >>> mod is compiled_for(fd.models.gabor()), hasattr(mod, "block_loss_grad")
    (True, True)
    """
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


#: the block kernels' per-example form of a ``loss_grad`` model whose source cannot be rewritten
#: (:mod:`fastdescent.models._blockform`): column ``b`` of the block and row ``i`` of the data
#: as views (inlined: no copies), the loss-only path with the lane's scratch rows of ``work``
#: (after the kernel's own ``SCRATCH`` rows) as the gradient it discards
_VIEW_ADAPTER = """
@njit(inline="always", error_model="numpy")
def model_example(phi, b, X, Y, i, c, work, grad):
    return point_loss_grad(phi[:, b], X[i], Y[i], c, grad[:, b]{w})


@njit(inline="always", error_model="numpy")
def model_loss(phi, b, X, Y, i, c, work):
    return point_loss_grad(phi[:, b], X[i], Y[i], c, work[{S}:, b]{w})
"""


def _roles(k) -> list[tuple[str, object]]:
    """(name in the generated module, njit function) of the kernels ``k`` gives."""
    if k.lanes is not None:
        named = [("model_lanes", k.lanes), ("model_hessian", k.example_hessian)]
    elif k.loss_grad is not None:
        named = [("point_loss_grad", k.loss_grad), ("model_hessian", k.example_hessian)]
    else:
        named = [("model_example", k.example), ("model_loss", k.example_loss),
                 ("model_hessian", k.example_hessian)]
    return [(a, f) for a, f in named if f is not None]


#: the loss-only form of a lane kernel whose source cannot be rewritten: the kernel itself with
#: a gradient block it discards
_LANES_ADAPTER = """
@njit(inline="always", error_model="numpy")
def model_lanes_loss(p, x, y, c, w, loss):
    model_lanes(p, x, y, c, np.zeros_like(p), w, loss)
"""


def lanes_loss_form(k) -> tuple[str, dict] | None:
    """Source of the loss-only form derived from the lane kernel ``k.lanes``, and the globals it
    reads; None when the kernel is outside the rewritable subset."""
    from ._blockform import NotRewritable, rewrite_lanes

    try:
        return rewrite_lanes(k.lanes)
    except NotRewritable:
        return None


def block_form(k) -> tuple[str, dict] | None:
    """Source of the per-example block-form kernels rewritten from ``k.loss_grad``, and the
    globals they read; None when the kernel is outside the rewritable subset."""
    from ._blockform import NotRewritable, rewrite

    try:
        full, loss, glob = rewrite(k.loss_grad, work_offset=k.scratch)
    except NotRewritable:
        return None
    return full + "\n\n" + loss, glob


def _global_imports(fn, glob: dict) -> list[str] | None:
    """Import lines for the globals ``glob`` of ``fn``'s module; None if not importable."""
    mod = fn.py_func.__module__
    module = sys.modules.get(mod)
    if module is None or mod == "__main__":
        return None
    from ._blockform import GLOBAL

    plain = {n[len(GLOBAL):]: v for n, v in glob.items()}
    if any(getattr(module, n, None) is not v for n, v in plain.items()):
        return None
    return [f"from {mod} import {n} as {GLOBAL}{n}  {_MARK}" for n in sorted(plain)]


def _kernel_lines(k, imports: list[str], rewritten: tuple[str, dict] | None,
                  glob_imports: list[str]) -> str:
    """What replaces the ``MODEL-KERNELS`` line: the kernels' imports (or nothing, for
    kernels given in the namespace), the absent roles as None, and the per-example form."""
    given = {a for a, _ in _roles(k)}
    lines = list(imports) + list(glob_imports)
    lines += [f"{a} = None" for a in ("model_hessian",) if a not in given]
    if k.lanes is not None:
        lines += ["LANE_FORM = True", "model_example = model_loss = None"]
        lines.append("\n\n" + (rewritten[0] if rewritten is not None else _LANES_ADAPTER))
    if k.loss_grad is not None:
        if rewritten is not None:
            lines.append("\n\n" + rewritten[0])
        else:
            w = f", work[:{k.scratch}, b]" if k.scratch else ""
            lines.append(_VIEW_ADAPTER.format(w=w, S=k.scratch))
    return "\n".join(lines) if lines else "pass"


def _rewritten(k) -> tuple[str, dict] | None:
    """The kernels generated from the model's own source (per-example block form, or the lane
    form's loss-only twin) and their globals; None where there are none."""
    if k.loss_grad is not None:
        return block_form(k)
    if k.lanes is not None:
        return lanes_loss_form(k)
    return None


def generated(k) -> tuple[str, str] | None:
    """Module name and source of the compiled kernels for kernels ``k``; None for kernels
    that cannot be imported back (defined in ``__main__``, a notebook or a closure)."""
    roles = _roles(k)
    got = module_hash(_engine_hash(), [f for _, f in roles])
    if got is None:
        return None
    names, h = got
    imports = [f"from {n[0]} import {n[1]} as {a}  {_MARK}" for (a, _), n in zip(roles, names)]
    rewritten = _rewritten(k)
    glob_imports = []
    if rewritten is not None:
        glob_imports = _global_imports(k.main, rewritten[1])
        if glob_imports is None:
            rewritten, glob_imports = None, []
    src = _source_with(_kernel_lines(k, imports, rewritten, glob_imports))
    h.update(src.encode())
    tag = names[0][1].replace("_example", "").replace("_loss_grad", "").replace("_lanes", "")
    return f"fd_engine_{tag}_{h.hexdigest()[:16]}", src


def _build(k) -> types.ModuleType:
    gen = generated(k)
    if gen is not None:
        return import_generated(*gen)
    rewritten = _rewritten(k)
    namespace = dict(_roles(k))
    if rewritten is not None:
        namespace.update(rewritten[1])
    return exec_dynamic(f"fd_engine_dynamic_{id(k.main):x}",
                        _source_with(_kernel_lines(k, [], rewritten, [])),
                        namespace, f"<fastdescent engine for {k.main.py_func.__qualname__}>")
