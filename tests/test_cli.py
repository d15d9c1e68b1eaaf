"""The ``fastdescent`` command line: every subcommand, bad inputs (exit 2), runtime failures
(exit 1), every shipped experiment file (--quick), and --resume after a SIGKILL.

Most tests call ``main(argv)`` in-process (no interpreter or Numba start-up); a few go through
the real entry point, ``python -m fastdescent``, in a subprocess.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tomllib
import types
from pathlib import Path

import numpy as np
import pytest

import fastdescent as fd
from fastdescent.cli import main
from fastdescent.cli.experiment import parse_range, read_xy_csv

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = sorted((ROOT / "experiments" / "configs").glob("*.toml"))

SMALL = """\
title = "small"
[model]
name = "gabor"
[optimizer]
name = "adam"
lr = [0.01, 0.1]
[start]
grid = 4
[run]
steps = 5
[output]
path = "small.nc"
"""


def cli(capsys, *argv):
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def subproc(*argv, cwd=None, timeout=120):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "fastdescent", *map(str, argv)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=env)


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def assert_one_line_error(err: str, *fragments):
    lines = [ln for ln in err.splitlines() if ln.strip() and "note:" not in ln]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert "error" in lines[0]
    for f in fragments:
        assert f in lines[0], (f, lines[0])


def nothing_written(d: Path):
    left = [p.name for p in d.iterdir() if p.suffix in (".nc", ".zarr", ".store", ".png")
            or p.name.endswith(".store")]
    assert left == [], left


# ------------------------------------------------------------------------------ entry point
def test_help_version_and_errors_through_the_real_entry_point(tmp_path):
    r = subproc("--help")
    assert r.returncode == 0 and "sweep" in r.stdout and "figures" in r.stdout
    r = subproc("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"fastdescent {fd.__version__}"
    bad = write(tmp_path / "bad.toml", SMALL.replace("lr = [0.01, 0.1]", 'lr = "1e-3:1:x:log"'))
    r = subproc("run", bad, cwd=tmp_path)
    assert r.returncode == 2
    assert_one_line_error(r.stderr, "[optimizer].lr", "1e-3:1:x:log")
    r = subproc("--debug", "run", bad, cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" in r.stderr
    nothing_written(tmp_path)


@pytest.mark.parametrize("cmd", ["list", "run", "sweep", "plot", "figures", "info"])
def test_every_subcommand_has_help(capsys, cmd):
    rc, out, _ = cli(capsys, cmd, "--help")
    assert rc == 0 and f"fastdescent {cmd}" in out


def test_usage_errors_are_one_line(capsys):
    rc, _, err = cli(capsys)
    assert rc == 2
    rc, _, err = cli(capsys, "lst")
    assert rc == 2
    assert_one_line_error(err, "did you mean 'list'")
    rc, _, err = cli(capsys, "info", "--bogus")
    assert rc == 2
    assert_one_line_error(err, "--bogus")


# ------------------------------------------------------------------------------ list / info
def test_list(capsys):
    rc, out, _ = cli(capsys, "list", "models")
    assert rc == 0
    assert "gabor(x=None, y=None)" in out and "two_layer_net(width=4" in out
    assert "The lecture's Gabor model" in out
    rc, out, _ = cli(capsys, "list", "optimizers")
    assert "adam(lr=0.05, beta=0.9, gamma=0.999, eps=1e-08)" in out
    assert "torch_adam(lr=0.001, betas=(0.9, 0.999)" in out
    assert "beta in [0, 1)" in out
    rc, out, _ = cli(capsys, "list", "schedules")
    assert "cosine(total_steps, final=0.0)" in out and "warmup(steps, then=None)" in out
    rc, out, _ = cli(capsys, "list")
    assert rc == 0 and "models (" in out and "schedules (" in out


def test_list_figures_uses_the_registry(capsys, monkeypatch):
    fake = types.ModuleType("fastdescent.figures")
    fake.FIGURES = {"6.4": types.SimpleNamespace(title="Gabor loss surface")}
    monkeypatch.setitem(sys.modules, "fastdescent.figures", fake)
    rc, out, _ = cli(capsys, "list", "figures")
    assert rc == 0 and "6.4" in out and "Gabor loss surface" in out
    monkeypatch.setitem(sys.modules, "fastdescent.figures", None)  # import fails
    rc, out, _ = cli(capsys, "list", "figures")
    assert rc == 0 and "none are registered" in out


def test_info(capsys):
    rc, out, _ = cli(capsys, "info")
    assert rc == 0
    for key in ("numba", "numpy", "threading layer", "threads", "svml", "cache dir"):
        assert key in out
    assert str(fd.engine.compiled.cache_dir()) in out


def test_compile_builds_the_engine_and_named_models(capsys):
    rc, out, _ = cli(capsys, "compile", "rosenbrock", "linear_regression_1d", "--no-minibatch")
    assert rc == 0
    assert "engine (model-independent worker)" in out
    assert "rosenbrock: block kernels" in out and "linear_regression_1d: block kernels" in out
    assert "minibatch kernels" not in out
    assert "update rules, line searches, schedules, minibatch streams" in out
    assert "ready: 4 pieces" in out


def test_compile_unknown_model_is_a_usage_error(capsys):
    rc, _, err = cli(capsys, "compile", "gabr")
    assert rc == 2
    assert "unknown model 'gabr'" in err and "did you mean 'gabor'" in err


def test_precompile_builds_minibatch_kernels_for_models_with_data():
    from fastdescent.engine.compiled import compiled_for, precompile

    m = fd.models.linear_regression_1d()
    seen = []
    done = precompile([m, fd.models.rosenbrock()], report=lambda w, s: seen.append(w))
    names = [w for w, _ in done]
    assert names == seen
    assert names == ["update rules, line searches, schedules, minibatch streams",
                     f"{m.name}: block kernels", f"{m.name}: minibatch kernels",
                     "rosenbrock: block kernels", "engine (model-independent worker)"]
    assert compiled_for(m).batch_loss_grad.signatures  # compiled, ready for SGD runs


# ------------------------------------------------------------------------------ run / sweep
@pytest.mark.parametrize("config", CONFIGS, ids=[c.stem for c in CONFIGS])
def test_every_example_runs_quick(capsys, tmp_path, config):
    out = tmp_path / "out.nc"
    rc, stdout, err = cli(capsys, "run", config, "--quick", "-o", out)
    assert rc == 0, err
    assert f"wrote {out}" in stdout
    ds = fd.load(out)
    doc = tomllib.loads(config.read_text())
    assert ds.attrs["experiment"] == config.read_text()
    assert fd.engine.status.NOT_RUN not in ds["status"].values
    assert (ds["steps"].values <= 20).all()  # --quick caps the steps
    for kind in doc.get("output", {}).get("plots", []):
        assert (tmp_path / f"out-{kind}.png").stat().st_size > 0
    assert not (tmp_path / "out.nc.store").exists()  # the finished store is removed


def test_examples_cover_every_optimizer_and_model_family():
    from fastdescent.models import classic, lecture, named_models, problems
    from fastdescent.optim import named_optimizers

    docs = [tomllib.loads(c.read_text()) for c in CONFIGS]
    assert {d["optimizer"]["name"] for d in docs} <= set(named_optimizers)
    models = {d["model"]["name"] for d in docs}
    fam = {name: fn.__module__ for name, fn in named_models.items()}
    assert {fam[m] for m in models} >= {lecture.__name__, problems.__name__, classic.__name__}
    assert "two_layer_net" in models
    assert {"univariate_regression", "multivariate_regression", "binary_classification",
            "multiclass_classification"} <= models
    assert any("data" in d["model"] for d in docs)


@pytest.mark.parametrize("rule", fd.optim.all_rules(), ids=lambda r: r.name)
def test_every_registered_optimizer_runs_from_an_experiment_file(capsys, tmp_path, rule):
    """Experiment files read the registry: any registered rule runs with its defaults, and its
    first hyperparameter sweeps as an axis (no example file per optimizer needed)."""
    first = rule.hyper[0]
    doc = SMALL.replace('name = "adam"\nlr = [0.01, 0.1]',
                        f'name = "{rule.name}"\n{first.name} = [{first.default!r}, '
                        f'{first.default / 2!r}]')
    out = tmp_path / "small.nc"
    rc, _, err = cli(capsys, "run", write(tmp_path / "e.toml", doc), "--no-progress", "-o", out)
    assert rc == 0, err
    ds = fd.load(out)
    assert ds.sizes[first.name] == 2
    assert fd.engine.status.NOT_RUN not in ds["status"].values


def test_run_small_and_sweep_equivalent(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "e.toml", SMALL)
    rc, out, err = cli(capsys, "run", "e.toml", "--no-progress", "--threads", 1)
    assert rc == 0, err
    a = fd.load(tmp_path / "small.nc")
    assert a.sizes["lr"] == 2 and a.attrs["title"] == "small"
    rc, out, err = cli(capsys, "sweep", "--model", "gabor", "--optimizer", "adam",
                       "--lr", "0.01,0.1", "--grid", 4, "--steps", 5, "-o", "s.nc")
    assert rc == 0, err
    b = fd.load(tmp_path / "s.nc")
    for v in ("params", "loss", "status", "steps"):
        assert a[v].values.tobytes() == b[v].values.tobytes()


def test_sweep_ranges_and_options(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rc, out, err = cli(capsys, "sweep", "--model", "gabor", "--optimizer", "adam",
                       "--lr", "1e-3:1:3:log", "--beta=0:0.9:2", "--grid", "3,2", "--steps", 4,
                       "--seeds", 2, "--batch-size", 5, "--tol", 1e-9, "--record-every", 2,
                       "--schedule", "cosine,total_steps=4", "-o", "r.nc", "--no-progress")
    assert rc == 0, err
    ds = fd.load(tmp_path / "r.nc")
    assert dict(ds["loss"].sizes) == {"lr": 3, "beta": 2, "seed": 2, "phi0": 3, "phi1": 2}
    np.testing.assert_allclose(ds["lr"].values, [1e-3, np.sqrt(1e-3), 1.0])
    assert "loss_path" in ds
    rc, out, err = cli(capsys, "sweep", "--model", "two_layer_net", "--model-arg", "width=2",
                       "--optimizer", "line_search", "--hyper", "tol=1e-4", "--random", 5,
                       "--steps", 3, "-o", "n.nc")
    assert rc == 0, err
    assert fd.load(tmp_path / "n.nc").sizes["param"] == 7


def test_parse_range_and_csv(tmp_path):
    np.testing.assert_allclose(parse_range("0:0.9:4"), [0, 0.3, 0.6, 0.9])
    np.testing.assert_array_equal(parse_range("1e-3:1:64:log"), np.geomspace(1e-3, 1, 64))
    assert parse_range("1:2") is None and parse_range("a:b:3") is None
    write(tmp_path / "d.csv", "x0,x1,y\n1,2,3\n\n4,5,6\n")
    x, y = read_xy_csv(tmp_path / "d.csv")
    assert x.shape == (2, 2) and y.tolist() == [3, 6]


# ------------------------------------------------------------------------------ bad input
BAD = {
    "misspelled key": (lambda s: s.replace("steps = 5", "step = 5"),
                       ["unknown key 'step' in [run]", "did you mean 'steps'"]),
    "misspelled table": (lambda s: s.replace("[optimizer]", "[optimiser]"),
                         ["'optimiser'", "did you mean 'optimizer'"]),
    "missing key": (lambda s: s.replace("steps = 5", ""), ["missing key 'steps' in [run]"]),
    "missing start": (lambda s: s.replace("grid = 4", ""), ["exactly one of grid"]),
    "key in wrong table": (lambda s: s.replace("grid = 4", "grid = 4\ntol = 1"),
                           ["'tol' belongs in [run]"]),
    "unknown model": (lambda s: s.replace('"gabor"', '"gabr"'),
                      ["unknown model 'gabr'", "did you mean 'gabor'", "rosenbrock"]),
    "unknown optimizer": (lambda s: s.replace('"adam"', '"adma"'),
                          ["unknown optimizer 'adma'", "did you mean 'adam'", "rmsprop"]),
    "unknown hyperparameter": (lambda s: s.replace("lr = ", "lrr = "),
                               ["unknown key 'lrr' in [optimizer]", "did you mean 'lr'"]),
    "bad range": (lambda s: s.replace("[0.01, 0.1]", '"1e-3:1:64:lgo"'),
                  ["[optimizer].lr", "'1e-3:1:64:lgo'", "start:stop:num"]),
    "log range <= 0": (lambda s: s.replace("[0.01, 0.1]", '"0:1:4:log"'), ["start > 0"]),
    "out of range": (lambda s: s.replace("[0.01, 0.1]", "-1"), ["lr must be in [0, inf)",
                                                                  "got -1.0"]),
    "unwritable output": (lambda s: s.replace('"small.nc"', '"/proc/small.nc"'),
                          ["cannot write", "/proc"]),
    "missing output dir": (lambda s: s.replace('"small.nc"', '"nodir/small.nc"'),
                           ["does not exist"]),
    "output suffix": (lambda s: s.replace('"small.nc"', '"small.csv"'), [".nc or .zarr"]),
    "bad schedule": (lambda s: s.replace("steps = 5", 'steps = 5\nschedule = {name="cosin"}'),
                     ["unknown schedule 'cosin'", "did you mean 'cosine'"]),
    "invalid toml": (lambda s: s.replace("steps = 5", "steps = "), ["invalid TOML", "line"]),
    "bad dtype": (lambda s: s.replace("steps = 5", 'steps = 5\ndtype = "float16"'),
                  ["[run].dtype", "'float64', 'float32'", "'float16'"]),
    "csv: non-numeric": (lambda s: s.replace('name = "gabor"', 'name = "gabor"\ndata = "a.csv"'),
                         ["a.csv", "row 2 (line 3)", "column 'y'", "'abc'"]),
    "csv: missing column": (lambda s: s.replace('name = "gabor"',
                                                'name = "gabor"\ndata = "b.csv"'),
                            ["b.csv", "no column 'y'", "x, z"]),
    "csv: missing file": (lambda s: s.replace('name = "gabor"',
                                              'name = "gabor"\ndata = "none.csv"'),
                          ["cannot read data file none.csv"]),
    "data for a test function": (lambda s: s.replace('name = "gabor"',
                                                     'name = "rosenbrock"\ndata = "a.csv"'),
                                 ["'rosenbrock' takes no data"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_exits_2_with_one_line(capsys, tmp_path, monkeypatch, case):
    edit, fragments = BAD[case]
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.csv", "x,y\n1,2\n3,abc\n")
    write(tmp_path / "b.csv", "x,z\n1,2\n")
    write(tmp_path / "e.toml", edit(SMALL))
    rc, out, err = cli(capsys, "run", "e.toml")
    assert rc == 2, err
    assert_one_line_error(err, *fragments)
    nothing_written(tmp_path)


def test_bad_sweep_flags(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    base = ["sweep", "--model", "gabor", "--optimizer", "adam", "--grid", 4, "--steps", 5,
            "-o", "o.nc"]
    for extra, frag in ((["--lrr", "0.1"], "did you mean '--lr'"),
                        (["--lr", "1:2:x"], "cannot parse '1:2:x'"),
                        (["--lr"], "needs a value")):
        rc, _, err = cli(capsys, *base, *extra)
        assert rc == 2
        assert_one_line_error(err, frag)
    rc, _, err = cli(capsys, *[a for a in base if a != "--steps" and a != 5])
    assert rc == 2
    assert_one_line_error(err, "missing option --steps")
    nothing_written(tmp_path)


def test_runtime_failure_exits_1(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "e.toml", SMALL)

    def boom(*a, **k):
        raise RuntimeError("kernel exploded")

    monkeypatch.setattr(fd.engine.sweeps, "sweep", boom)
    rc, _, err = cli(capsys, "run", "e.toml")
    assert rc == 1
    assert_one_line_error(err, "RuntimeError: kernel exploded")
    assert not (tmp_path / "small.nc").exists()


def test_existing_store_needs_resume(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "e.toml", SMALL)
    exp = fd.cli.experiment.load_file("e.toml")
    store = tmp_path / "small.nc.store"
    fd.engine.sweeps.Store(store, exp.plan(), 8)  # an unfinished run's store
    rc, _, err = cli(capsys, "run", "e.toml")
    assert rc == 2
    assert_one_line_error(err, "--resume")
    write(tmp_path / "e.toml", SMALL.replace("steps = 5", "steps = 6"))
    rc, _, err = cli(capsys, "run", "e.toml", "--resume")
    assert rc == 2
    assert_one_line_error(err, "different sweep")
    write(tmp_path / "e.toml", SMALL)
    rc, out, err = cli(capsys, "run", "e.toml", "--resume")
    assert rc == 0 and "resuming" in err
    assert not store.exists()


# ------------------------------------------------------------------------------ plot
def test_plot_every_kind(capsys, tmp_path, monkeypatch):
    """Every kind is drawn by fastdescent.plotting, with no warning."""
    monkeypatch.chdir(tmp_path)
    rc, _, err = cli(capsys, "sweep", "--model", "himmelblau", "--optimizer", "gd",
                     "--lr", "0.005,0.01", "--grid", 6, "--steps", 60, "--tol", 1e-3,
                     "--record-every", 10, "-o", "h.nc")
    assert rc == 0, err
    for kind in ("basins", "hyper", "convergence"):
        rc, out, err = cli(capsys, "plot", "h.nc", "--kind", kind, "-o", f"{kind}.png")
        assert rc == 0, err
        assert (tmp_path / f"{kind}.png").read_bytes()[:4] == b"\x89PNG"
        assert "warning" not in err and "note" not in err, err
    rc, _, err = cli(capsys, "plot", "missing.nc")
    assert rc == 2
    assert_one_line_error(err, "no such dataset")
    rc, _, err = cli(capsys, "plot", "h.nc", "--kind", "basin")
    assert rc == 2
    assert_one_line_error(err, "did you mean 'basins'")


def test_plot_list_of_starts_and_no_paths(capsys, tmp_path, monkeypatch):
    """Starts given as a list (no grid) and a run without recorded paths: basins and
    convergence still draw (starts coloured by attractor; fraction converged by step)."""
    monkeypatch.chdir(tmp_path)
    ds = fd.sweep(fd.models.himmelblau(), fd.optim.gd(lr=0.01),
                  np.random.default_rng(0).uniform(-4, 4, (20, 2)), 80, tol=1e-3,
                  progress=False)
    fd.save(ds, tmp_path / "l.nc")
    for kind in ("basins", "convergence"):
        rc, _, err = cli(capsys, "plot", "l.nc", "--kind", kind, "-o", f"{kind}.png")
        assert rc == 0, err
        assert (tmp_path / f"{kind}.png").read_bytes()[:4] == b"\x89PNG"


# ------------------------------------------------------------------------------ figures
def test_figures_delegates_or_fails_clearly(capsys, monkeypatch, tmp_path):
    seen = {}
    fake = types.ModuleType("fastdescent.figures")
    fake.main = lambda argv: seen.setdefault("argv", argv) and 0
    monkeypatch.setitem(sys.modules, "fastdescent.figures", fake)
    rc, _, _ = cli(capsys, "figures", "--lang", "es", "--only", "6.4,6.9", "--quick", "-o",
                   tmp_path)
    assert rc == 0
    assert seen["argv"] == ["--lang", "es", "--only", "6.4,6.9", "--quick", "-o", str(tmp_path)]
    fake2 = types.ModuleType("fastdescent.figures")
    fake2.make_figures = lambda lang, only, quick, outdir: seen.update(
        mk=(lang, only, quick, outdir))
    monkeypatch.setitem(sys.modules, "fastdescent.figures", fake2)
    assert cli(capsys, "figures", "--only", "6.4", "-o", tmp_path)[0] == 0
    assert seen["mk"] == (None, ["6.4"], False, str(tmp_path))
    monkeypatch.setitem(sys.modules, "fastdescent.figures", None)
    rc, _, err = cli(capsys, "figures")
    assert rc == 1
    assert_one_line_error(err, "fastdescent.figures")


# ------------------------------------------------------------------------------ resume
RESUME = """\
[model]
name = "gabor"
[optimizer]
name = "adam"
lr = "1e-3:1:4:log"
[start]
grid = 64
[run]
steps = 300
[output]
path = "big.nc"
chunk_size = 512
"""


def test_resume_after_sigkill_is_bitwise_identical(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "e.toml", RESUME)
    store = tmp_path / "big.nc.store"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "fastdescent", "run", "e.toml",
                             "--threads", "1", "--no-progress"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while not list(store.glob("chunk-*.npz")):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no chunk written in time"
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    done = len(list(store.glob("chunk-*.npz")))
    n_chunks = 4 * 64 * 64 // 512
    assert 1 <= done < n_chunks, "the run finished before it could be killed"
    assert not (tmp_path / "big.nc").exists()  # nothing written half

    rc, _, err = cli(capsys, "run", "e.toml")  # without --resume: refused
    assert rc == 2 and "--resume" in err
    rc, out, err = cli(capsys, "run", "e.toml", "--resume")
    assert rc == 0, err
    assert "resuming" in err and not store.exists()
    resumed = fd.load(tmp_path / "big.nc")

    rc, _, err = cli(capsys, "run", "e.toml", "-o", "ref.nc")
    assert rc == 0, err
    ref = fd.load(tmp_path / "ref.nc")
    assert resumed.identical(ref)
    for v in ref.data_vars:
        assert resumed[v].values.tobytes() == ref[v].values.tobytes(), v
