"""Formula models (fastdescent.models.formula): equality with the built-in models, derivatives
against finite differences on random formulas, stable helpers, subgradients, caching, errors."""
import os
import subprocess
import sys
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastdescent as fd
from fastdescent.models import formula
from fastdescent.models.formula import _formula_dir

GABOR = "(sin(p0 + 0.06*p1*x) * exp(-(p0 + 0.06*p1*x)**2/32) - y)**2"
SOFTMAX = ("logsumexp(w0[k] + Sum(W[2*k + j]*x[j], (j, 0, 1)), (k, 0, 2))"
           " - Sum(KroneckerDelta(y, k)*(w0[k] + Sum(W[2*k + j]*x[j], (j, 0, 1))), (k, 0, 2))")


def _data(m):
    return m.X, m.Y


# one table: built-in model -> the same loss as a formula
BUILTINS = {
    "gabor": lambda: (fd.models.gabor(), dict(
        loss=GABOR, params=["p0", "p1"], x=fd.models.gabor().X[:, 0],
        y=fd.models.gabor().Y[:, 0])),
    "linear_regression_1d": lambda: (fd.models.linear_regression_1d(), dict(
        loss="(p0 + p1*x - y)**2", params=["p0", "p1"],
        x=fd.models.linear_regression_1d().X[:, 0], y=fd.models.linear_regression_1d().Y[:, 0])),
    "multivariate_regression": lambda: (fd.models.multivariate_regression(), dict(
        loss="Sum((w0[d] + Sum(W[2*d + j]*x[j], (j, 0, 1)) - y[d])**2, (d, 0, 1))",
        params=["W[4]", "w0[2]"], x=fd.models.multivariate_regression().X,
        y=fd.models.multivariate_regression().Y)),
    "binary_classification": lambda: (fd.models.binary_classification(), dict(
        loss="softplus(w[0]*x[0] + w[1]*x[1] + b) - y*(w[0]*x[0] + w[1]*x[1] + b)",
        params=["w[2]", "b"], x=fd.models.binary_classification().X,
        y=fd.models.binary_classification().Y[:, 0])),
    "multiclass_classification": lambda: (fd.models.multiclass_classification(), dict(
        loss=SOFTMAX, params=["W[6]", "w0[3]"], x=fd.models.multiclass_classification().X,
        y=fd.models.multiclass_classification().Y[:, 0])),
    "rosenbrock": lambda: (fd.models.rosenbrock(1.5, 80.0), dict(
        loss="(a - u)**2 + b*(v - u**2)**2", params=["u", "v"],
        consts={"a": 1.5, "b": 80.0})),
}


def _kernels(m, p):
    """Loss, loss (loss-only kernel), gradient and Hessian from the model's generated
    kernels called directly (what the engine inlines), summed over the examples."""
    k = m.kernels
    phi = np.ascontiguousarray(np.asarray(p, float)[:, None])
    grad = np.zeros_like(phi)
    work = np.zeros((1, 1))
    L = sum(k.example(phi, 0, m.X, m.Y, i, m.consts, work, grad) for i in range(m.n_examples))
    L2 = sum(k.example_loss(phi, 0, m.X, m.Y, i, m.consts, work) for i in range(m.n_examples))
    H = np.zeros((m.n_params, m.n_params))
    for i in range(m.n_examples):
        k.example_hessian(phi[:, 0].copy(), m.X[i], m.Y[i], m.consts, H)
    return L, L2, grad[:, 0], H


def _rel(a, b):
    """Largest difference relative to the size of the reference, per point."""
    a = a.reshape(a.shape[0], -1)
    b = b.reshape(b.shape[0], -1)
    scale = np.maximum(np.abs(b).max(axis=1), 1e-300)
    return float(np.max(np.abs(a - b).max(axis=1) / scale))


@pytest.mark.parametrize("name", list(BUILTINS))
def test_formula_equals_builtin(name):
    """Loss, gradient and Hessian at random points of the box, from the generated kernels
    (what the engine inlines; the Gabor also through the engine itself)."""
    ref, kw = BUILTINS[name]()
    m = formula(**kw, box=ref.box)
    assert m.n_params == ref.n_params and m.has_data == ref.has_data
    assert m.hessian_is_exact
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    lo, hi = np.array(ref.box).T
    pts = rng.uniform(lo, hi, (40, ref.n_params))
    out = [_kernels(m, p) for p in pts]
    L, L2, G, H = (np.array([o[j] for o in out]) for j in range(4))
    l_ref, g_ref = ref.loss_grad_many(pts)
    h_ref = ref.hessian_many(pts)
    assert _rel(L[:, None], l_ref[:, None]) < 1e-12
    assert _rel(L2[:, None], l_ref[:, None]) < 1e-12
    assert _rel(G, g_ref) < 1e-12
    assert _rel(H, h_ref) < 1e-12
    if name == "gabor":
        l1, g1 = m.loss_grad_many(pts)
        np.testing.assert_array_equal(l1, L)  # the engine sums the same kernel in order
        np.testing.assert_array_equal(g1, G)
        np.testing.assert_array_equal(m.loss_many(pts), L2)
        assert _rel(m.hessian_many(pts), h_ref) < 1e-12


def test_gabor_runs_like_builtin_in_the_engine():
    ref, kw = BUILTINS["gabor"]()
    m = formula(**kw, box=ref.box)
    a0, a1 = np.meshgrid(np.linspace(-10, 10, 6), np.linspace(2.5, 22.5, 6))
    inits = np.stack([a0.ravel(), a1.ravel()], 1)
    for kwargs in ({}, {"batch_size": 5, "seed": 3}):
        a = fd.run(m, fd.optim.gd(lr=0.05), inits, 15, progress=False, **kwargs)
        b = fd.run(ref, fd.optim.gd(lr=0.05), inits, 15, progress=False, **kwargs)
        np.testing.assert_allclose(a.params, b.params, rtol=1e-10, atol=1e-12)


def test_source_is_readable_and_cached():
    ref, kw = BUILTINS["gabor"]()
    m = formula(**kw)
    assert "def example(phi, b, X, Y, i, c, work, grad):" in m.source
    assert GABOR in m.source and "fast_sincos" in m.source and "fast_exp" in m.source
    assert "math.sin" not in m.source and "math.exp" not in m.source
    assert os.path.dirname(m.path) == str(_formula_dir())
    assert open(m.path).read() == m.source
    again = formula(**kw)
    assert again.kernels.example is m.kernels.example  # same module, not regenerated
    assert m.settings["formula"] == GABOR and m.describe()["settings"]["params"] == ["p0", "p1"]


def test_second_process_needs_no_sympy():
    ref, kw = BUILTINS["linear_regression_1d"]()
    m = formula(**kw)
    code = ("import sys, numpy as np, fastdescent as fd\n"
            "x = np.array(%r); y = np.array(%r)\n"
            "m = fd.models.formula(%r, ['p0', 'p1'], x=x, y=y)\n"
            "print(m.loss([0.5, 0.5]), 'sympy' in sys.modules)\n"
            % (kw["x"].tolist(), kw["y"].tolist(), kw["loss"]))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert float(out[0]) == pytest.approx(_kernels(m, [0.5, 0.5])[0], rel=1e-15)
    assert out[1] == "False"


def test_consts_are_run_time_values():
    a = formula("(a - u)**2 + b*(v - u**2)**2", ["u", "v"], consts={"a": 1.0, "b": 100.0})
    b = formula("(a - u)**2 + b*(v - u**2)**2", ["u", "v"], consts={"a": 2.0, "b": 50.0})
    assert a.kernels.example is b.kernels.example
    p = [0.3, -0.7]
    assert _kernels(a, p)[0] == pytest.approx(fd.models.rosenbrock(1.0, 100.0).loss(p), rel=1e-14)
    assert _kernels(b, p)[0] == pytest.approx(fd.models.rosenbrock(2.0, 50.0).loss(p), rel=1e-14)
    assert not a.has_data


def test_named_data_columns_and_sympy_input():
    import sympy  # a dependency of fastdescent
    rng = np.random.default_rng(0)
    u, v = rng.normal(size=20), rng.normal(size=20)
    t = 0.5 * u - 2.0 * v + 0.1
    m = formula("(a*u + b*v + c0 - target)**2", ["a", "b", "c0"],
                data={"u": u, "v": v, "target": t})
    a, b, c0, uu, vv, tt = sympy.symbols("a b c0 u v target")
    ms = formula((a * uu + b * vv + c0 - tt) ** 2, ["a", "b", "c0"],
                 data={"u": u, "v": v, "target": t})
    p = np.array([0.3, 0.2, -0.4])
    expect = np.sum((p[0] * u + p[1] * v + p[2] - t) ** 2)
    assert _kernels(m, p)[0] == pytest.approx(expect, rel=1e-13)
    assert _kernels(ms, p)[0] == pytest.approx(expect, rel=1e-13)
    np.testing.assert_allclose(_kernels(m, [0.5, -2.0, 0.1])[2], 0.0, atol=1e-12)


# ---------------------------------------------------------------- stable helpers, subgradients
def test_stable_helpers_at_extreme_arguments():
    m = formula("logsumexp(p0, 2*p0, -p0) + softplus(p1) + sigmoid(p1)", ["p0", "p1"])
    for p0 in (-800.0, 800.0):
        for p1 in (-800.0, 800.0):
            L, _, g, _ = _kernels(m, [p0, p1])
            lse = max(p0, 2 * p0, -p0)
            expect = lse + max(p1, 0.0) + (1.0 if p1 > 0 else 0.0)
            assert np.isfinite(L) and L == pytest.approx(expect, rel=1e-14)
            assert np.all(np.isfinite(g))
    # softmax derivative: d/dz_k logsumexp = softmax_k
    z = np.array([0.3, 0.6, -0.3])
    sm = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    np.testing.assert_allclose(_kernels(m, [0.3, 0.0])[2][0], sm @ np.array([1.0, 2.0, -1.0]),
                               rtol=1e-14)
    assert _kernels(m, [0.0, 0.0])[2][1] == pytest.approx(0.5 + 0.25, rel=1e-15)


def test_subgradients_of_abs_max_sign():
    m = formula("Abs(p0) + Max(p0, p1) + sign(p1)", ["p0", "p1"])
    np.testing.assert_array_equal(_kernels(m, [0.0, -1.0])[2], [1.0, 0.0])  # |.|' = 0 at 0
    np.testing.assert_array_equal(_kernels(m, [2.0, 2.0])[2], [1.5, 0.5])  # tie: mean of both
    np.testing.assert_array_equal(_kernels(m, [-3.0, 1.0])[2], [-1.0, 1.0])  # sign' = 0
    np.testing.assert_array_equal(_kernels(m, [0.5, 0.2])[3], np.zeros((2, 2)))
    assert _kernels(m, [-3.0, 1.0])[0] == 3.0 + 1.0 + 1.0


# ---------------------------------------------------------------- finite differences
_LEAVES = ["p0", "p1", "x", "y", "0.7", "1.3"]
_UNARY = ["sin({})", "cos({})", "tanh({})", "sigmoid({})", "softplus({})", "atan({})",
          "exp(-({})**2)", "({})**2", "sqrt(1 + ({})**2)", "log(2 + cos({}))", "exp(sin({}))"]
_BINARY = ["({} + {})", "({} - {})", "({} * {})", "logsumexp({}, {})", "({})/(1.5 + sin({}))"]


def _expr(depth):
    leaf = st.sampled_from(_LEAVES)
    if depth == 0:
        return leaf
    sub = _expr(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(st.sampled_from(_UNARY), sub).map(lambda t: t[0].format(t[1])),
        st.tuples(st.sampled_from(_BINARY), sub, sub).map(lambda t: t[0].format(t[1], t[2])))


def _fd_check(m, p):
    """Gradient and Hessian against central differences of the loss and of the gradient."""
    L, L2, g, H = _kernels(m, p)
    assert L2 == pytest.approx(L, rel=1e-13, abs=1e-300)
    np.testing.assert_allclose(H, H.T, rtol=0, atol=0)
    h = 1e-6
    for k in range(m.n_params):
        e = np.zeros(m.n_params)
        e[k] = h
        Lp, _, gp, _ = _kernels(m, p + e)
        Lm, _, gm, _ = _kernels(m, p - e)
        scale = max(1.0, abs(L), np.abs(g).max())
        assert abs((Lp - Lm) / (2 * h) - g[k]) <= 1e-6 * scale, (k, (Lp - Lm) / (2 * h), g[k])
        hscale = max(1.0, np.abs(H).max(), np.abs(g).max())
        np.testing.assert_allclose((gp - gm) / (2 * h), H[:, k], atol=1e-5 * hscale, rtol=0)


@settings(max_examples=12)
@given(body=_expr(3), p=st.lists(st.floats(-1.5, 1.5), min_size=2, max_size=2))
def test_random_formulas_match_finite_differences(body, p):
    x = np.linspace(-1.0, 1.0, 4)
    y = np.cos(3 * x)
    loss = f"{body} + 0.5*(p0**2 + p1**2) + 0.25*p0*p1"
    m = formula(loss, ["p0", "p1"], x=x, y=y)
    _fd_check(m, np.array(p))


# ---------------------------------------------------------------- errors, before any compile
@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FASTDESCENT_CACHE_DIR", str(tmp_path))
    return tmp_path


X3 = np.arange(6.0).reshape(3, 2)


@pytest.mark.parametrize("loss, params, kw, match", [
    ("(p0*x + q - y)**2", ["p0"], {}, r"unknown symbol 'q'.*known: .*p0"),
    ("(p0*x - y)**2", ["p0", "p1"], {}, r"parameter 'p1' does not appear"),
    ("(p0*x - y)**2 +", ["p0"], {}, r"does not parse"),
    ("gamma(p0) + x*y", ["p0"], {}, r"unknown function 'gamma'"),
    ("p0.real + x", ["p0"], {}, r"Attribute is not allowed"),
    ("__import__('os')", ["p0"], {}, r"unknown function '__import__'"),
    ("p0 if x > 0 else y", ["p0"], {}, r"IfExp is not allowed"),
    ("KroneckerDelta(p0, 1) + p0*x + y", ["p0"], {}, r"KroneckerDelta of a parameter"),
    ("(p0*x[2] - y)**2", ["p0"], {"x": X3, "y": np.ones(3)}, r"index 2 out of range for 'x'"),
    ("(p0*x - y)**2", ["p0"], {"x": X3, "y": np.ones(3)}, r"'x' has 2 entries: index it"),
    ("(p0*x - y)**2", ["p0"], {"x": np.ones(3), "y": np.ones(4)}, r"same number of examples"),
    ("(p0*x - y)**2", ["p0"], {"x": np.ones(3)}, r"give both x and y"),
    ("(p0 - u)**2", ["p0"], {"data": {"u": np.ones(3), "v": np.ones(2)}}, r"same length"),
    ("(w[3]*x - y)**2", ["w[2]"], {}, r"index 3 out of range for 'w'"),
    ("sin + p0", ["p0"], {}, r"'sin' is a function"),
    ("p0 + x", ["x"], {"x": np.ones(2), "y": np.ones(2)}, r"used twice"),
    ("p0 + 1", ["sin"], {}, r"reserved"),
    ("", ["p0"], {}, r"empty formula"),
    ("Sum(p0*j, (j, 3, 1))", ["p0"], {}, r"empty"),
    ("p0**2 + a", ["p0"], {"consts": {"a": float("nan")}}, r"constant 'a' must be finite"),
])
def test_clear_errors_before_compiling(empty_cache, loss, params, kw, match):
    kw = dict(kw)
    if "x" not in kw and "data" not in kw and "x" in loss and "y" in loss:
        kw.update(x=np.ones(3), y=np.ones(3))
    with pytest.raises(ValueError, match=match):
        formula(loss, params, **kw)
    assert not (empty_cache / "formulas").exists() or not any((empty_cache / "formulas").iterdir())


# ---------------------------------------------------------------- experiment files, CLI
def test_experiment_file_with_formula_and_csv(capsys, tmp_path, monkeypatch):
    from fastdescent.cli import main

    monkeypatch.chdir(tmp_path)
    g = fd.models.gabor()
    rows = "\n".join(f"{float(a)!r},{float(b)!r}" for a, b in zip(g.X[:, 0], g.Y[:, 0]))
    (tmp_path / "pts.csv").write_text("x,y\n" + rows + "\n")
    (tmp_path / "e.toml").write_text(f'''
[model]
formula = "{GABOR}"
params = ["p0", "p1"]
data = "pts.csv"
box = [[-10, 10], [2.5, 22.5]]
name = "gabor_formula"
[optimizer]
name = "gd"
lr = 0.05
[start]
grid = 4
[run]
steps = 10
[output]
path = "f.nc"
''')
    assert main(["run", "e.toml", "--no-progress"]) == 0, capsys.readouterr().err
    ds = fd.load(tmp_path / "f.nc")
    m = formula(GABOR, ["p0", "p1"], data={"x": g.X[:, 0], "y": g.Y[:, 0]}, box=g.box)
    ref = fd.run(m, fd.optim.gd(lr=0.05), fd.grid(m, 4).points, 10, progress=False)
    np.testing.assert_array_equal(ds["params"].values.reshape(-1, 2), ref.params)
    capsys.readouterr()
    assert main(["list", "models"]) == 0
    assert "formula =" in capsys.readouterr().out


@pytest.mark.parametrize("model, fragment", [
    ('formula = "(p0*x - z)**2"\nparams = ["p0"]\ndata = "pts.csv"', "unknown symbol 'z'"),
    ('formula = "(p0*x - y)**2"\nparams = ["p0", "p1"]\ndata = "pts.csv"', "'p1' does not"),
    ('formula = "(p0*x - y)**2"', "missing key 'params'"),
    ('formula = "(p0*x - y)**2"\nparams = ["p0"]\ndata = "bad.csv"', "'oops' is not a finite"),
    ('formula = "(p0*x - y)**2"\nparams = ["p0"]\nbox = [[0, 1]]\nparms = 1', "parms"),
])
def test_experiment_file_formula_errors(capsys, tmp_path, monkeypatch, model, fragment):
    from fastdescent.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "pts.csv").write_text("x,y\n1,2\n3,4\n")
    (tmp_path / "bad.csv").write_text("x,y\n1,2\n3,oops\n")
    (tmp_path / "e.toml").write_text(f"[model]\n{model}\n[optimizer]\nname = \"gd\"\n"
                                     "[start]\ngrid = 2\n[run]\nsteps = 2\n[output]\n"
                                     "path = \"o.nc\"\n")
    assert main(["run", "e.toml"]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err
    assert not (tmp_path / "o.nc").exists()


def test_pickles_as_its_formula():
    """A formula model travels as its formula (Dask workers, process pools) and is rebuilt
    on arrival, so a worker without the generated module can still run it."""
    import pickle

    ref, kw = BUILTINS["linear_regression_1d"]()
    m = formula(**kw, box=ref.box, name="line")
    data = pickle.dumps(m)
    assert b"fd_formula_" not in data  # no reference to the generated module
    code = ("import os, pickle, sys, tempfile\n"
            "os.environ['FASTDESCENT_CACHE_DIR'] = tempfile.mkdtemp()\n"
            "m = pickle.loads(sys.stdin.buffer.read())\n"
            "print(m.name, m.box, os.path.exists(m.path), m.source == %r)\n" % m.source)
    out = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True,
                         check=True).stdout.decode().strip()
    assert out == f"line {ref.box} True True"
