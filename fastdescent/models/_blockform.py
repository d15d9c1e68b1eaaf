"""The block kernels' per-example form of a ``loss_grad(p, x, y, c, g)`` kernel, by rewriting it.

A model written in the public contract reads parameter ``k`` as ``p[k]``, input ``j`` as
``x[j]``, target ``d`` as ``y[d]`` and adds into ``g[k]``. The block kernels
(:mod:`fastdescent.models._template`) evaluate a ``(P, B)`` block of trajectories, example
``i`` at a time, with the loop over the ``B`` trajectories innermost so that it vectorizes. This
module writes the kernel's own source again in that form, with every subscript of a contract
array replaced by the element of the block it denotes::

    p[k]  ->  phi[k, b]        x[j]  ->  X[i, j]        y[d]  ->  Y[i, d]
    g[k]  ->  grad[k, b]       w[r]  ->  work[r, b]      (w: the optional scratch argument)

and ``len(a)`` / ``a.shape[0]`` by the matching extent; in ``like(v, a)`` (a constant in the
precision of ``a``) the block array takes the place of ``a``. The arithmetic is the kernel's
own, in its own order, so losses and gradients keep their bits; what changes is that no array view is
built per example and trajectory (a view is a struct with reference counting, which stops the
loop over trajectories from vectorizing).

The **loss-only** form is the same source without the statements that store into ``g``: the
computations that fed only the gradient are then dead, and LLVM removes them, so line searches
and recorded losses do not pay for a gradient they discard. Where the kernel reads ``g`` back,
its gradient goes to the lane's scratch rows instead (``work[k, b]``).

Kernels outside this subset - that pass ``p``, ``x``, ``y``, ``g`` or ``w`` whole to another
function, slice them, define nested functions or close over variables - return ``None`` here,
and :mod:`fastdescent.models.compiled` evaluates them through column views, with the same
bits at a lower speed.
"""
from __future__ import annotations

import ast
import builtins
import inspect
import textwrap

#: names of the generated functions' arguments (prefixed: they cannot clash with the kernel's)
PHI, B, XS, YS, I, WORK, GRAD = ("_fd_phi", "_fd_b", "_fd_X", "_fd_Y", "_fd_i", "_fd_work",
                                 "_fd_grad")
#: prefix of the kernel's module-level names in the generated module
GLOBAL = "_fdg_"


class NotRewritable(Exception):
    """The kernel uses a contract array in a way the block form cannot express."""


def _index(node: ast.AST) -> ast.AST:
    """The subscript expression of ``a[e]`` (a single index: no slice, no tuple)."""
    idx = node.slice
    if isinstance(idx, (ast.Slice, ast.Tuple)):
        raise NotRewritable("sliced or multi-index subscript")
    return idx


class _Renamer(ast.NodeTransformer):
    """Renames the kernel's module-level names ``globals_`` to their prefixed imports and
    refuses what a generated copy of one function cannot hold: nested functions, classes,
    ``global`` and ``nonlocal``."""

    def __init__(self, globals_: set[str]):
        self.globals = globals_

    def visit_Name(self, node):
        if node.id in self.globals:  # imported under a prefixed name: no clash with the template
            return ast.copy_location(ast.Name(GLOBAL + node.id, node.ctx), node)
        return node

    def visit_FunctionDef(self, node):  # only the kernel's body is visited
        raise NotRewritable("nested function")

    visit_Lambda = visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_Global(self, node):
        raise NotRewritable("global/nonlocal statement")

    visit_Nonlocal = visit_Global


class _Rewrite(_Renamer):
    """Replaces every use of the contract arrays by the block's elements (see the module
    docstring); ``roles`` maps the kernel's argument names to 'p', 'x', 'y', 'g', 'w'."""

    def __init__(self, roles: dict[str, str], grad_to_work: bool, work_offset: int,
                 globals_: set[str]):
        super().__init__(globals_)
        self.roles = roles
        self.grad_to_work = grad_to_work
        self.work_offset = work_offset

    def _element(self, role: str, idx: ast.AST, ctx) -> ast.AST:
        def sub(arr, first, second):
            return ast.Subscript(value=ast.Name(arr, ast.Load()),
                                 slice=ast.Tuple([first, second], ast.Load()), ctx=ctx)
        if role == "p":
            return sub(PHI, idx, ast.Name(B, ast.Load()))
        if role == "x":
            return sub(XS, ast.Name(I, ast.Load()), idx)
        if role == "y":
            return sub(YS, ast.Name(I, ast.Load()), idx)
        if role == "w":
            return sub(WORK, idx, ast.Name(B, ast.Load()))
        if self.grad_to_work:  # g, read back by the kernel: the scratch rows after w's
            row = ast.BinOp(ast.Constant(self.work_offset), ast.Add(), idx) \
                if self.work_offset else idx
            return sub(WORK, row, ast.Name(B, ast.Load()))
        return sub(GRAD, idx, ast.Name(B, ast.Load()))

    def _extent(self, role: str) -> ast.AST:
        if role == "w":  # the kernel's own scratch rows; the loss-only scratch g follows them
            return ast.Constant(self.work_offset)
        arr, axis = {"p": (PHI, 0), "x": (XS, 1), "y": (YS, 1), "g": (PHI, 0),
                     "w": (WORK, 0)}[role]
        shape = ast.Attribute(ast.Name(arr, ast.Load()), "shape", ast.Load())
        return ast.Subscript(shape, ast.Constant(axis), ast.Load())

    def visit_Subscript(self, node):
        if isinstance(node.value, ast.Name) and node.value.id in self.roles:
            role = self.roles[node.value.id]
            return ast.copy_location(
                self._element(role, self.visit(_index(node)), node.ctx), node)
        # a.shape[0] of a contract array
        v = node.value
        if (isinstance(v, ast.Attribute) and v.attr == "shape" and isinstance(v.value, ast.Name)
                and v.value.id in self.roles):
            if isinstance(node.slice, ast.Constant) and node.slice.value == 0:
                return ast.copy_location(self._extent(self.roles[v.value.id]), node)
            raise NotRewritable("shape of a contract array other than shape[0]")
        return self.generic_visit(node)

    def visit_Call(self, node):
        if (isinstance(node.func, ast.Name) and node.func.id == "len" and len(node.args) == 1
                and isinstance(node.args[0], ast.Name) and node.args[0].id in self.roles):
            return ast.copy_location(self._extent(self.roles[node.args[0].id]), node)
        # like(v, a) (fastdescent.contract.like): v in the precision of the contract array a,
        # which is that of the block array it stands for
        if (isinstance(node.func, ast.Name) and node.func.id == "like" and len(node.args) == 2
                and not node.keywords and isinstance(node.args[1], ast.Name)
                and node.args[1].id in self.roles):
            arr = {"p": PHI, "g": PHI, "x": XS, "y": YS, "w": WORK}[self.roles[node.args[1].id]]
            return ast.copy_location(ast.Call(self.visit(node.func),
                                              [self.visit(node.args[0]), ast.Name(arr, ast.Load())],
                                              []), node)
        return self.generic_visit(node)

    def visit_Name(self, node):
        if node.id in self.roles:
            raise NotRewritable(f"{node.id!r} used whole (passed, sliced or reassigned)")
        return super().visit_Name(node)


def _stores_only_into(stmt: ast.stmt, name: str) -> bool:
    """Whether ``stmt`` is ``name[e] = v`` or ``name[e] op= v``."""
    if isinstance(stmt, ast.AugAssign):
        targets = [stmt.target]
    elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        targets = stmt.targets
    else:
        return False
    t = targets[0]
    return isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id == name


def _drop_stores(body: list[ast.stmt], name: str) -> list[ast.stmt]:
    """``body`` without the statements that store into ``name`` (recursively in compound
    statements; an emptied block becomes ``pass``)."""
    out = []
    for stmt in body:
        if _stores_only_into(stmt, name):
            continue
        for field in ("body", "orelse", "finalbody"):
            block = getattr(stmt, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                setattr(stmt, field, _drop_stores(block, name) or [ast.Pass()])
        out.append(stmt)
    return out


def _reads(tree: ast.AST, name: str) -> bool:
    """Whether ``name[...]`` is read (loaded) anywhere, besides in its own ``op=`` stores."""
    for node in ast.walk(tree):
        if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)
                and node.value.id == name and isinstance(node.ctx, ast.Load)):
            return True
    return False


def kernel_tree(fn) -> ast.FunctionDef:
    """The parsed source of the njit function ``fn`` (its decorators removed)."""
    try:
        src = textwrap.dedent(inspect.getsource(fn.py_func))
    except (OSError, TypeError) as e:  # no source (built at run time without a file)
        raise NotRewritable(f"no source: {e}") from None
    tree = ast.parse(src)
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.FunctionDef):
        raise NotRewritable("source is not a single function definition")
    f = tree.body[0]
    f.decorator_list = []
    if (f.body and isinstance(f.body[0], ast.Expr) and isinstance(f.body[0].value, ast.Constant)
            and isinstance(f.body[0].value.value, str)):
        f.body = f.body[1:] or [ast.Pass()]  # the docstring stays with the kernel
    return f


def free_globals(fn, f: ast.FunctionDef) -> dict[str, object]:
    """The module-level names the kernel's body reads (not its locals, arguments or builtins),
    with their objects: what the generated module must import."""
    if fn.py_func.__code__.co_freevars:
        raise NotRewritable("closure variables")
    local = {a.arg for a in f.args.args}
    for node in ast.walk(f):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            local.add(node.id)
    g = fn.py_func.__globals__
    out = {}
    for node in ast.walk(f):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) \
                and node.id not in local:
            if node.id in g:
                out[node.id] = g[node.id]
            elif not hasattr(builtins, node.id):
                raise NotRewritable(f"unknown name {node.id!r}")
    return out


def rewrite(fn, *, work_offset: int = 0) -> tuple[str, str, dict[str, object]]:
    """Source of ``model_example(phi, b, X, Y, i, c, work, grad)`` and ``model_loss(phi, b, X,
    Y, i, c, work)`` for the ``loss_grad(p, x, y, c, g[, w])`` kernel ``fn``, and the globals
    they read (keyed by their prefixed names, ``GLOBAL + name``); raises :class:`NotRewritable` for kernels outside the rewritable subset.

    ``work_offset`` is the number of rows of ``w`` (``len(w)`` in the kernel); the loss-only
    form of a kernel that reads ``g`` back keeps that gradient in the scratch rows after them.
    """
    f = kernel_tree(fn)
    names = [a.arg for a in f.args.args]
    if len(names) not in (5, 6) or f.args.vararg or f.args.kwarg or f.args.kwonlyargs:
        raise NotRewritable("not a (p, x, y, c, g[, w]) kernel")
    roles = dict(zip((names[0], names[1], names[2], names[4]), "pxyg"))
    if len(names) == 6:
        roles[names[5]] = "w"
    glob = free_globals(fn, f)
    c = names[3]
    opts = fn.targetoptions
    deco = "njit(inline=\"always\", error_model=\"numpy\"" + (
        f", fastmath={opts['fastmath']!r})" if opts.get("fastmath") else ")")

    def build(new_name: str, args: list[str], body: list[ast.stmt], grad_to_work: bool) -> str:
        node = ast.FunctionDef(
            name=new_name, args=ast.arguments(posonlyargs=[], args=[ast.arg(a) for a in args],
                                              kwonlyargs=[], kw_defaults=[], defaults=[]),
            body=body, decorator_list=[], returns=None, type_params=[])
        tree = _Rewrite(roles, grad_to_work, work_offset, set(glob))
        node.body = [tree.visit(s) for s in node.body]
        ast.fix_missing_locations(node)
        return f"@{deco}\n{ast.unparse(node)}\n"

    g_name = names[4]
    full = build("model_example", [PHI, B, XS, YS, I, c, WORK, GRAD],
                 kernel_tree(fn).body, False)
    body = kernel_tree(fn).body
    read_back = _reads(f, g_name)
    if not read_back:
        body = _drop_stores(body, g_name)
    loss = build("model_loss", [PHI, B, XS, YS, I, c, WORK], body, read_back)
    return full, loss, {GLOBAL + n: v for n, v in glob.items()}


class _LossOnly(_Renamer):
    """The loss-only body of a lane kernel: globals renamed, and no use of ``g`` left (its
    stores are dropped before)."""

    def __init__(self, globals_: set[str], g: str):
        super().__init__(globals_)
        self.g = g

    def visit_Name(self, node):
        if node.id == self.g:
            raise NotRewritable(f"{node.id!r} used other than by stores into it")
        return super().visit_Name(node)


def _mentions(stmt: ast.stmt, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(stmt))


def rewrite_lanes(fn) -> tuple[str, dict[str, object]]:
    """Source of ``model_lanes_loss(p, x, y, c, w, loss)``, the loss-only form of the lane
    kernel ``fn`` = ``loss_grad(p, x, y, c, g, w, loss)``, and the globals it reads (keyed by
    their prefixed names); raises :class:`NotRewritable` outside the rewritable subset.

    The loss-only form is the kernel's source without the statements that store into ``g``
    and without the top-level statements after the last one that mentions ``loss``: ``w`` is
    scratch, so those statements (a backward pass) cannot change what the form returns.
    """
    f = kernel_tree(fn)
    names = [a.arg for a in f.args.args]
    if len(names) != 7 or f.args.vararg or f.args.kwarg or f.args.kwonlyargs:
        raise NotRewritable("not a (p, x, y, c, g, w, loss) kernel")
    g, loss = names[4], names[6]
    glob = free_globals(fn, f)
    body = _drop_stores(f.body, g)
    last = [i for i, s in enumerate(body) if _mentions(s, loss)]
    if last:
        body = body[:last[-1] + 1]
    opts = fn.targetoptions
    deco = "njit(inline=\"always\", error_model=\"numpy\"" + (
        f", fastmath={opts['fastmath']!r})" if opts.get("fastmath") else ")")
    node = ast.FunctionDef(
        name="model_lanes_loss",
        args=ast.arguments(posonlyargs=[], args=[ast.arg(a) for a in names if a != g],
                           kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=body, decorator_list=[], returns=None, type_params=[])
    tr = _LossOnly(set(glob), g)
    node.body = [tr.visit(s) for s in node.body]
    ast.fix_missing_locations(node)
    return f"@{deco}\n{ast.unparse(node)}\n", {GLOBAL + n: v for n, v in glob.items()}
