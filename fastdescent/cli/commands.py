"""The subcommands: ``list``, ``run``, ``sweep``, ``plot``, ``figures``, ``compile``, ``explore``,
``info``."""
from __future__ import annotations

import inspect
import json
import os
import platform
import re
import sys
import tempfile
import time
from pathlib import Path

from .errors import CLIError, UsageError, one_line, suggest
from .experiment import PLOT_KINDS, Experiment, dir_writable, from_dict, load_file


def warn(msg: str) -> None:
    print(f"fastdescent: warning: {one_line(msg)}", file=sys.stderr)


# ------------------------------------------------------------------------------------- list
def _doc_line(fn) -> str:
    doc = inspect.getdoc(fn) or ""
    line = doc.strip().split("\n\n")[0].replace("\n", " ")
    line = re.sub(r":math:`([^`]*)`", r"\1", line)
    line = re.sub(r":\w+:`~?([^`]*)`", r"\1", line).replace("``", "")
    for tex, txt in _TEX:
        line = line.replace(tex, txt)
    line = re.sub(r"\\sqrt\{([^{}]*)\}", r"sqrt(\1)", line)
    line = re.sub(r"([\^_])\{([^{}]*)\}", lambda m: m.group(1) + (
        m.group(2) if len(m.group(2)) == 1 else f"({m.group(2)})"), line)
    line = re.sub(r"\\([A-Za-z]+)(?=\\[A-Za-z])", r"\1 ", line)
    line = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)", line)
    line = re.sub(r"\\(mathrm|text|operatorname)\{([^{}]*)\}", r"\2", line)
    line = re.sub(r"\\([A-Za-z]+)", r"\1", line).replace("\\", "")
    line = re.sub(r"\{([^{}]*)\}", r"\1", line)
    return " ".join(line.split())


_TEX = (("\\leftarrow", "<-"), ("\\le ", "<= "), ("\\ge ", ">= "), ("\\lVert", "|"),
        ("\\rVert", "|"), ("\\lfloor", "floor("), ("\\rfloor", ")"), ("\\tfrac12", "1/2"),
        ("\\cdot", "*"), ("\\,", " "), ("\\;", " "), ("\\!", ""), ("\\left", ""),
        ("\\right", ""))


def _signature(name, fn) -> str:
    parts = []
    for p in inspect.signature(fn).parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        parts.append(p.name if p.default is p.empty else f"{p.name}={p.default!r}")
    return f"{name}({', '.join(parts)})"


def list_models() -> list[str]:
    from ..models import named_models

    out = [f"models ({len(named_models)}):"]
    for name, fn in named_models.items():
        out += [f"  {_signature(name, fn)}", f"      {_doc_line(fn)}"]
    from ..models.formula import EXAMPLES

    out.append('  your own: [model] formula = "<loss of one example>", params = [...], '
               'data = "<csv>" (fd.models.formula), e.g.')
    out += [f"      {what}: params [{params}]\n        {loss}" for what, loss, params in EXAMPLES]
    return out


def list_optimizers() -> list[str]:
    from ..optim.registry import all_rules, named_optimizers

    rules = all_rules()
    out = [f"optimizers ({len(rules)}):"]
    for rule in rules:
        fn = named_optimizers[rule.name]
        ranges = ", ".join(f"{h.name} {h.spec.text()}" for h in rule.hyper)
        out += [f"  {_signature(rule.name, fn)}", f"      {_doc_line(fn)}",
                f"      hyperparameters (sweepable): {ranges}"]
    return out


def list_schedules() -> list[str]:
    from ..optim.schedules import named_schedules

    out = [f"schedules ({len(named_schedules)}):"]
    for name, fn in named_schedules.items():
        out += [f"  {_signature(name, fn)}", f"      {_doc_line(fn)}"]
    return out


def _import_optional(modname: str):
    """Import ``modname``; None when it does not exist (its own import errors propagate)."""
    import importlib

    try:
        return importlib.import_module(modname)
    except ModuleNotFoundError as exc:
        if exc.name and (exc.name == modname or modname.startswith(exc.name + ".")):
            return None
        raise


def list_figures() -> list[str]:
    mod = _import_optional("fastdescent.figures")
    reg = getattr(mod, "FIGURES", None) if mod is not None else None
    if not reg:
        return ["figures: none are registered (fastdescent.figures is not available)"]
    out = [f"figures ({len(reg)}):"]
    for fid, fig in reg.items():
        out.append(f"  {fid:<10} {getattr(fig, 'title', '')}")
    return out


LISTS = {"models": list_models, "optimizers": list_optimizers, "schedules": list_schedules,
         "figures": list_figures}


def cmd_list(args, extra) -> int:
    """``fastdescent list [models|optimizers|schedules|figures]``: print each registry with
    the signatures and first docstring lines of its entries; returns the exit code 0.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (:func:`~fastdescent.cli.build_parser`).
    extra : list of str
        Arguments argparse did not recognise (none are accepted).

    Returns
    -------
    int
        The exit code (0 on success).

    Examples
    --------
    ``fastdescent list schedules``:

    >>> from fastdescent.cli import build_parser
    >>> from fastdescent.cli.commands import cmd_list
    >>> cmd_list(*build_parser().parse_known_args(["list", "schedules"]))
    schedules (6):
      constant()
          s(t) = 1.
      step(every, factor=0.5)
          s(t) = gamma^(floor( t / M)): multiply by factor every every steps.
      exponential(gamma)
          s(t) = gamma^t.
      inverse_time(decay)
          s(t) = 1 / (1 + k t) (the classic 1/t decay).
      cosine(total_steps, final=0.0)
          s(t) = f + (1-f) 1/2(1 + cos(pi min(t, T)/T)) (cosine annealing).
      warmup(steps, then=None)
          Linear warm-up min(1, (t+1)/w) over steps steps, then then (constant).
    0
    """
    kinds = [args.what] if args.what else list(LISTS)
    lines = []
    for i, k in enumerate(kinds):
        if i:
            lines.append("")
        lines += LISTS[k]()
    print("\n".join(lines))
    return 0


# ------------------------------------------------------------------------------- run / sweep
def prepare_store(store: Path, plan, resume: bool) -> str | None:
    """Check the chunk store before running; returns a note for resumed runs.

    A store locked by a running process is refused first ("store ... in use by pid N"), so
    a second run started meanwhile is not told to --resume and duplicate the work."""
    from ..engine.storage import FileLock

    manifest = store / "manifest.json"
    holder = FileLock(store / "lock").locked_by_other()
    if holder is not False:
        who = f"pid {holder}" if holder else "another process"
        raise UsageError(f"store {str(store)!r} in use by {who} (a run of this experiment is "
                         f"in progress): wait for it to finish, or give another "
                         f"[output].store / --store")
    if manifest.exists():
        if not resume:
            raise UsageError(f"{str(store)!r} holds chunks of an unfinished run: add --resume to "
                             f"continue it, or delete that directory to start over")
        try:
            meta = json.loads(manifest.read_text())
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot read the store's manifest {str(manifest)!r}: {exc}") \
                from None
        if meta.get("fingerprint") != plan.fingerprint():
            raise UsageError(f"--resume: store {str(store)!r} holds a different sweep (the "
                             f"experiment changed since it started); delete it to start over")
        done = len(list(store.glob("chunk-*.npz")))  # verified by the sweep before use
        total = -(-int(meta.get("size", plan.size)) // int(meta.get("chunk_size", 1)))
        return f"resuming from {store}: {done} of {total} chunks already done"
    if store.exists():
        if not store.is_dir():
            raise UsageError(f"store path {str(store)!r} exists and is not a directory")
        if any(p.name not in _STORE_LEFTOVERS for p in store.iterdir()):
            raise UsageError(f"store directory {str(store)!r} is not empty and is not a chunk "
                             f"store; choose another [output].store")
        if not dir_writable(store):
            raise UsageError(f"store directory {str(store)!r} is not writable")
    else:
        parent = store.parent
        if not parent.is_dir() or not dir_writable(parent):
            raise UsageError(f"cannot create store {str(store)!r}: directory {str(parent)!r} "
                             f"is missing or not writable")
    if resume:
        warn(f"nothing to resume in {str(store)!r}: starting from scratch")
    return None


#: What a finished run leaves in its store directory: the lock file, and the chunks that
#: failed verification (kept for inspection, never deleted).
_STORE_LEFTOVERS = ("lock", "quarantine")


def remove_store(store: Path) -> None:
    """Delete a finished chunk store (only the files the engine writes); quarantined chunks
    are kept, with a note."""
    if (store / "quarantine").is_dir():
        warn(f"chunks that failed verification are kept in {str(store / 'quarantine')!r} "
             f"(delete them when inspected)")
    for pattern in ("chunk-*.npz", ".*.tmp", "*.tmp", "manifest.json", "lock"):
        for f in store.glob(pattern):
            try:
                f.unlink()
            except OSError:
                pass
    try:
        store.rmdir()
    except OSError:
        pass


def _max_memory(text):
    """``--max-memory`` as bytes (None: the default share of the available memory)."""
    from ..engine.memory import parse_memory

    if text is None:
        return None
    try:
        return parse_memory(text, "--max-memory")
    except (TypeError, ValueError) as exc:
        raise UsageError(str(exc)) from None


def _threads(threads):
    from ..engine.trajectories import check_threads

    try:
        return check_threads(threads)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"--threads: {exc}") from None


def execute(exp: Experiment, *, resume: bool, threads, progress, attrs=None,
            scheduler=None) -> int:
    """Run a validated experiment: stream into its store, save atomically, plot, clean up."""
    from ..engine.sweeps import save, sweep
    from ..engine import status as S

    from ..engine.storage import InUseError, StoreRepairWarning

    threads = _threads(threads)
    plan = exp.plan()
    note = prepare_store(exp.store, plan, resume)
    if note:
        print(f"fastdescent: {note}", file=sys.stderr)
    args, kw = exp.plan_args()
    t0 = time.perf_counter()
    try:
        with _warnings_as_lines(StoreRepairWarning):
            ds = sweep(*args, **kw, store=str(exp.store), threads=threads, progress=progress,
                       chunk_size=exp.chunk_size, scheduler=scheduler,
                       max_memory=exp.max_memory)
    except InUseError as exc:
        raise UsageError(str(exc)) from None
    except RuntimeError as exc:  # the Dask scheduler went away (engine.distributed)
        if type(exc).__name__ != "SchedulerLost":
            raise
        raise CLIError(f"{exc} (here: rerun the same command with --resume and the "
                       f"--scheduler of a running cluster, or without it)") from None
    except KeyboardInterrupt:
        err = CLIError(f"interrupted; finished chunks are kept in {str(exp.store)!r}: rerun "
                       f"the same command with --resume to continue")
        err.exit_code = 130
        raise err from None
    elapsed = time.perf_counter() - t0
    if exp.title:
        ds.attrs["title"] = exp.title
    ds.attrs.update(attrs or {})
    try:
        save(ds, exp.path)
    except (OSError, ValueError, InUseError) as exc:
        raise CLIError(f"cannot write {str(exp.path)!r}: {exc}; the finished chunks stay in "
                       f"{str(exp.store)!r} (rerun with --resume)") from None
    remove_store(exp.store)
    counts = {S.NAMES[k]: int((ds["status"].values == k).sum()) for k in sorted(S.NAMES)}
    counts = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
    dims = " x ".join(f"{d}={n}" for d, n in zip(plan.dims, plan.shape))
    print(f"wrote {exp.path}: {plan.size} trajectories of {plan.model.name}/"
          f"{plan.optimizer.name} ({dims}), {plan.settings.steps} steps, "
          f"{elapsed:.1f} s: {counts}")
    for kind in exp.plots:
        from .plots import make_plot

        out = exp.path.with_name(f"{exp.path.stem}-{kind}.png")
        try:
            make_plot(ds, kind, out)
            print(f"wrote {out}")
        except UsageError as exc:
            warn(f"plot {kind!r} not written: {exc}")
    return 0


class _warnings_as_lines:
    """Show warnings of ``category`` as ``fastdescent: warning: ...`` lines on stderr as
    they happen (e.g. a quarantined chunk), instead of Python's two-line format."""

    def __init__(self, category):
        self.category = category

    def __enter__(self):
        import warnings

        self._old = warnings.showwarning

        def show(message, category, *a, **k):
            if issubclass(category, self.category):
                warn(str(message))
            else:
                self._old(message, category, *a, **k)

        warnings.showwarning = show
        return self

    def __exit__(self, *exc):
        import warnings

        warnings.showwarning = self._old


def cmd_run(args, extra) -> int:
    """``fastdescent run EXPERIMENT.toml``: load and validate the experiment file
    (:mod:`fastdescent.cli.experiment`), run its sweep (locally or on ``--scheduler``) and
    save it; returns the exit code.

    Raises
    ------
    UsageError
        If the experiment file is missing or invalid (exit code 2).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (:func:`~fastdescent.cli.build_parser`).
    extra : list of str
        Arguments argparse did not recognise (none are accepted).

    Returns
    -------
    int
        The exit code (0 on success).

    Examples
    --------
    ``fastdescent run small.toml --no-progress`` on a four-point experiment:

    >>> import os, tempfile
    >>> from pathlib import Path
    >>> import fastdescent as fd
    >>> from fastdescent.cli import build_parser
    >>> from fastdescent.cli.commands import cmd_run
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "small.toml").write_text(
    ...     '[model]\\nname = "quadratic"\\n[optimizer]\\nname = "gd"\\nlr = [0.1, 0.6]\\n'
    ...     f'[start]\\ngrid = 2\\n[run]\\nsteps = 100\\n[output]\\npath = "{d / "small.nc"}"\\n')
    >>> cmd_run(*build_parser().parse_known_args(["run", str(d / "small.toml"), "--no-progress"]))
    wrote ...small.nc: 8 trajectories of quadratic/gd (lr=2 x phi0=2 x phi1=2), 100 steps, ...
    0
    >>> dict(fd.load(d / "small.nc").sizes)
    {'lr': 2, 'phi0': 2, 'phi1': 2, 'param': 2}
    """
    exp = load_file(args.experiment, quick=args.quick, output=args.output,
                    max_memory=_max_memory(args.max_memory))
    if args.dtype is not None:
        exp.options["dtype"] = args.dtype
    text = Path(args.experiment).read_text()
    return execute(exp, resume=args.resume, threads=args.threads, progress=args.progress,
                   attrs={"experiment": text}, scheduler=args.scheduler)


def _split_list(text: str, what: str, conv=float):
    try:
        return [conv(x) for x in text.replace(";", ",").split(",") if x.strip()]
    except ValueError:
        raise UsageError(f"{what}: expected comma-separated numbers, got {text!r}") from None


def _kv(text: str, what: str):
    import tomllib

    if "=" not in text:
        raise UsageError(f"{what}: expected KEY=VALUE, got {text!r}")
    k, v = text.split("=", 1)
    k = k.strip()
    try:
        val = tomllib.loads(f"v = {v.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        val = v.strip()
    return k, val


def _hyper_flags(extra: list[str], parser_options) -> dict:
    """``--name VALUE`` pairs left over by argparse: the optimizer's hyperparameters."""
    out = {}
    i = 0
    while i < len(extra):
        tok = extra[i]
        if not tok.startswith("--") or len(tok) < 3:
            raise UsageError(f"unexpected argument {tok!r}")
        name = tok[2:]
        if "=" in name:
            name, val = name.split("=", 1)
            i += 1
        else:
            if i + 1 >= len(extra) or extra[i + 1].startswith("--"):
                hint = suggest(tok, parser_options)
                raise UsageError(f"option {tok} needs a value (a number, a list a,b,c or a "
                                 f"range start:stop:num[:log|lin]){hint}")
            val = extra[i + 1]
            i += 2
        out[name.replace("-", "_")] = val
    return out


def cmd_sweep(args, extra) -> int:
    """``fastdescent sweep``: a sweep from flags alone (model, optimizer, axes such as
    ``--lr 1e-3:1:64:log``, grid, steps), saved to ``-o``; returns the exit code.

    Raises
    ------
    UsageError
        If a flag names an unknown model, optimizer or hyperparameter, or a value is
        invalid (exit code 2).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (:func:`~fastdescent.cli.build_parser`).
    extra : list of str
        Arguments argparse did not recognise: ``--NAME VALUE`` pairs of the optimizer's hyperparameters.

    Returns
    -------
    int
        The exit code (0 on success).

    Examples
    --------
    ``fastdescent sweep`` with a learning-rate axis; flags named after the optimizer's
    hyperparameters set them (:func:`~fastdescent.cli.main` parses the command line and calls
    this function):

    >>> import json, os, tempfile
    >>> import fastdescent as fd
    >>> from fastdescent.cli import main
    >>> out = os.path.join(tempfile.mkdtemp(), "sweep.nc")
    >>> main(["sweep", "--model", "quadratic", "--optimizer", "momentum", "--lr", "0.1,0.5",
    ...       "--beta", "0.5", "--grid", "3", "--steps", "50", "--no-progress", "-o", out])
    wrote ...sweep.nc: 18 trajectories of quadratic/momentum (lr=2 x phi0=3 x phi1=3), 50 steps, ...
    0
    >>> ds = fd.load(out)
    >>> dict(ds.sizes), ds["lr"].values, json.loads(ds.attrs["optimizer"])["hyper"]["beta"]
    ({'lr': 2, 'phi0': 3, 'phi1': 3, 'param': 2}, array([0.1, 0.5]), 0.5)
    """
    from ..optim.factories import named_optimizers

    hyper = _hyper_flags(extra, args._options)
    for item in args.hyper or []:
        k, v = _kv(item, "--hyper")
        hyper[k] = v
    known = set()
    if args.optimizer in named_optimizers:  # unknown flags: suggest among options and hypers
        known = set(named_optimizers[args.optimizer]().hyper_names)
        known |= set(inspect.signature(named_optimizers[args.optimizer]).parameters)
    for k in hyper:
        if k not in known and (args.optimizer in named_optimizers or args.optimizer is None):
            pool = [f"--{h}" for h in sorted(known)] + list(args._options)
            which = (f"; {args.optimizer}'s hyperparameters: "
                     f"{', '.join('--' + h for h in sorted(known))}") if known else ""
            raise UsageError(f"unknown option --{k}{suggest('--' + k, pool)}{which}")
    for opt, dest in (("--model", "model"), ("--optimizer", "optimizer"), ("--steps", "steps"),
                      ("-o/--output", "output")):
        if getattr(args, dest) is None:
            raise UsageError(f"missing option {opt} (see fastdescent sweep --help)")
    model = {"name": args.model}
    for item in args.model_arg or []:
        k, v = _kv(item, "--model-arg")
        model[k] = v
    if args.data:
        model["data"] = args.data
    start = {}
    modes = [m for m in ("grid", "random", "lhs") if getattr(args, m) is not None]
    if len(modes) > 1:
        raise UsageError(f"give one of --grid, --random, --lhs (got {', '.join(modes)})")
    if args.random is not None:
        start["random"] = args.random
    elif args.lhs is not None:
        start["lhs"] = args.lhs
    else:
        g = _split_list(args.grid or "64", "--grid", int)
        start["grid"] = g[0] if len(g) == 1 else g
    if args.box:
        b = _split_list(args.box, "--box")
        if len(b) % 2:
            raise UsageError("--box: expected pairs lo,hi (one per parameter)")
        start["box"] = [b[i:i + 2] for i in range(0, len(b), 2)]
    if args.params:
        start["params"] = [p.strip() for p in args.params.split(",") if p.strip()]
    if args.fixed:
        start["fixed"] = _split_list(args.fixed, "--fixed")
    if args.start_seed is not None:
        start["seed"] = args.start_seed
    run = {"steps": args.steps, "seed": args.seed}
    for k in ("seeds", "tol", "batch_size", "record_every", "dtype"):
        if getattr(args, k) is not None:
            run[k] = getattr(args, k)
    if args.schedule:
        name, *rest = [x.strip() for x in args.schedule.split(",")]
        sched = {"name": name}
        for item in rest:
            k, v = _kv(item, "--schedule")
            sched[k] = v
        run["schedule"] = sched
    output = {"path": args.output}
    if args.store:
        output["store"] = args.store
    if args.plots:
        output["plots"] = [p.strip() for p in args.plots.split(",") if p.strip()]
    if args.chunk_size is not None:
        output["chunk_size"] = args.chunk_size
    doc = {"model": model, "optimizer": {"name": args.optimizer, **hyper}, "start": start,
           "run": run, "output": output}
    exp = from_dict(doc, source="sweep", base=Path.cwd(), quick=args.quick, cli=True,
                    max_memory=_max_memory(args.max_memory))
    return execute(exp, resume=args.resume, threads=args.threads, progress=args.progress,
                   scheduler=args.scheduler)


# ------------------------------------------------------------------------------------- plot
def cmd_plot(args, extra) -> int:
    """``fastdescent plot OUT.nc --kind basins|hyper|convergence``: draw a saved sweep;
    returns the exit code.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (:func:`~fastdescent.cli.build_parser`).
    extra : list of str
        Arguments argparse did not recognise (none are accepted).

    Returns
    -------
    int
        The exit code (0 on success).

    Raises
    ------
    UsageError
        If the dataset is missing or unreadable, or the output is not a writable
        ``.png``/``.pdf``/``.svg``/``.jpg`` path (exit code 2).

    Examples
    --------
    ``fastdescent plot OUT.nc --kind hyper``:

    >>> import os, tempfile
    >>> import numpy as np
    >>> import fastdescent as fd
    >>> from fastdescent.cli import build_parser
    >>> from fastdescent.cli.commands import cmd_plot
    >>> d = tempfile.mkdtemp()
    >>> m = fd.models.quadratic((1.0, 4.0))
    >>> ds = fd.sweep(m, fd.optim.gd(), fd.grid(m, 3), 100, lr=np.geomspace(0.1, 1, 5),
    ...               progress=False)
    >>> path = fd.save(ds, os.path.join(d, "lr.nc"))
    >>> png = os.path.join(d, "lr.png")
    >>> cmd_plot(*build_parser().parse_known_args(["plot", str(path), "--kind", "hyper",
    ...                                            "-o", png]))
    wrote ...lr.png
    0
    >>> os.path.getsize(png) > 0
    True
    """
    from ..engine.sweeps import load
    from .plots import make_plot

    src = Path(args.dataset)
    try:
        ds = load(src)
    except FileNotFoundError:
        raise UsageError(f"no such dataset: {str(src)!r}") from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot read dataset {str(src)!r}: {exc}") from None
    out = Path(args.output) if args.output else src.with_name(f"{src.stem}-{args.kind}.png")
    if out.suffix.lower() not in (".png", ".pdf", ".svg", ".jpg", ".jpeg"):
        raise UsageError(f"-o {str(out)!r}: the figure must end in .png, .pdf, .svg or .jpg")
    if not out.parent.is_dir() or not dir_writable(out.parent):
        raise UsageError(f"cannot write {str(out)!r}: directory {str(out.parent)!r} is missing "
                         f"or not writable")
    make_plot(ds, args.kind, out)
    print(f"wrote {out}")
    return 0


# ---------------------------------------------------------------------------------- figures
def cmd_figures(args, extra, raw_argv) -> int:
    """``fastdescent figures``: regenerate lecture figures (:func:`fastdescent.figures.main`
    with the raw arguments); returns the exit code.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.
    extra : list of str
        Unrecognised arguments (none are accepted).
    raw_argv : list of str
        The arguments after ``figures``, passed on to :func:`fastdescent.figures.main`.

    Returns
    -------
    int
        The exit code (0 on success).

    Raises
    ------
    UsageError
        If a figure id or the scripts folder is not found (exit code 2).

    Examples
    --------
    ``fastdescent figures --only momentum-weights --lang en --quick -o DIR``:

    >>> import os, tempfile
    >>> from fastdescent.cli import build_parser
    >>> from fastdescent.cli.commands import cmd_figures
    >>> d = tempfile.mkdtemp()
    >>> argv = ["figures", "--only", "momentum-weights", "--lang", "en", "--quick", "-o", d]
    >>> args, extra = build_parser().parse_known_args(argv)
    >>> cmd_figures(args, extra, argv[1:])
    wrote .../en/momentum-weights-expansion.png
    wrote .../en/momentum-weights-expansion.pdf
    0
    >>> sorted(os.listdir(os.path.join(d, "en")))
    ['momentum-weights-expansion.pdf', 'momentum-weights-expansion.png']
    """
    mod = _import_optional("fastdescent.figures")
    if mod is not None and callable(getattr(mod, "main", None)):
        try:
            rc = mod.main(list(raw_argv))
        except SystemExit as exc:  # its own argparse
            rc = exc.code if isinstance(exc.code, int) else (2 if exc.code else 0)
        return int(rc or 0)
    if mod is not None and callable(getattr(mod, "make_figures", None)):
        only = [s.strip() for s in args.only.split(",") if s.strip()] if args.only else None
        kw = {}
        if args.research:
            kw["research"] = True
        mod.make_figures(args.lang, only, args.quick, args.output, **kw)
        return 0
    if mod is None:
        raise CLIError("no figures available: the module fastdescent.figures is not "
                       "installed yet")
    raise CLIError("fastdescent.figures defines neither main(argv) nor make_figures(...)")


# ---------------------------------------------------------------------------------- compile
LECTURE_MODELS = ("linear_regression_1d", "gabor")


def cmd_compile(args, extra) -> int:
    """``fastdescent compile [MODEL ...]``: build (or load from the cache) the engine, every
    rule's kernels and the named models' kernels (:func:`~fastdescent.engine.compiled.precompile`),
    printing what each took; returns the exit code.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (:func:`~fastdescent.cli.build_parser`).
    extra : list of str
        Arguments argparse did not recognise (none are accepted).

    Returns
    -------
    int
        The exit code (0 on success).

    Raises
    ------
    UsageError
        If a model name is unknown (exit code 2).

    Examples
    --------
    ``fastdescent compile quadratic`` builds (or finds in the cache) the kernels and prints
    what each took:

    >>> from fastdescent.cli import build_parser
    >>> from fastdescent.cli.commands import cmd_compile
    >>> cmd_compile(*build_parser().parse_known_args(["compile", "quadratic"]))
    building in ... (cached pieces load in well under a second)
        ... s  update rules, line searches, schedules, minibatch streams
        ... s  quadratic: block kernels
        ... s  engine (model-independent worker)
    ready: 3 pieces in ... s
    0
    """
    from ..engine.compiled import cache_dir, precompile
    from ..models import get_model, named_models

    names = list(named_models) if args.all else (args.models or list(LECTURE_MODELS))
    unknown = [n for n in names if n not in named_models]
    if unknown:
        raise UsageError(f"unknown model {unknown[0]!r}{suggest(unknown[0], named_models)}; "
                         f"see fastdescent list models")
    models = [get_model(n) for n in names]
    print(f"building in {cache_dir()} (cached pieces load in well under a second)", flush=True)
    done = precompile(models, minibatch=not args.no_minibatch,
                      report=lambda what, sec: print(f"  {sec:6.1f} s  {what}", flush=True))
    print(f"ready: {len(done)} pieces in {sum(sec for _, sec in done):.1f} s")
    return 0


# ------------------------------------------------------------------------------------- info
def _svml() -> str:
    import numba

    using = bool(getattr(numba.config, "USING_SVML", False))
    found = []
    try:
        from importlib import metadata

        for dist in ("icc_rt", "intel-cmplr-lib-rt"):
            try:
                found.append(f"{dist} {metadata.version(dist)}")
            except metadata.PackageNotFoundError:
                pass
    except ImportError:
        pass
    import ctypes.util
    import glob

    lib = ctypes.util.find_library("svml") or ctypes.util.find_library("intlc")
    if not lib:
        libs = glob.glob(os.path.join(sys.prefix, "lib", "libsvml*"))
        lib = libs[0] if libs else None
    if lib:
        found.append(f"library {lib}")
    state = "yes" if using else "no"
    return f"{state} (numba.config.USING_SVML={using}; " + \
        (", ".join(found) if found else "icc_rt / libsvml not found") + ")"


def cmd_info(args, extra) -> int:
    """``fastdescent info``: print the versions of fastdescent and its stack, the CPU and
    its vector features, Numba's threading layer and the cache folder; returns the exit code.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (:func:`~fastdescent.cli.build_parser`).
    extra : list of str
        Arguments argparse did not recognise (none are accepted).

    Returns
    -------
    int
        The exit code (0 on success).

    Examples
    --------
    ``fastdescent info`` prints the versions, the CPU and the cache folder:

    >>> import contextlib, io
    >>> from fastdescent.cli import build_parser
    >>> from fastdescent.cli.commands import cmd_info
    >>> buf = io.StringIO()
    >>> with contextlib.redirect_stdout(buf):
    ...     code = cmd_info(*build_parser().parse_known_args(["info"]))
    >>> code, buf.getvalue().split()[0]
    (0, 'fastdescent')
    """
    import numba
    import numpy as np

    from .._version import __version__
    from ..engine.compiled import cache_dir

    rows = [("fastdescent", f"{__version__} ({Path(__file__).resolve().parents[1]})"),
            ("python", f"{platform.python_version()} ({sys.executable})"),
            ("platform", platform.platform()),
            ("numpy", np.__version__)]
    try:
        import llvmlite

        rows.append(("numba", f"{numba.__version__} (llvmlite {llvmlite.__version__})"))
    except ImportError:
        rows.append(("numba", numba.__version__))
    for name in ("xarray", "matplotlib"):
        try:
            rows.append((name, __import__(name).__version__))
        except ImportError:
            rows.append((name, "not installed"))
    try:
        from ._parallel import threading_layer

        layer = threading_layer()
    except Exception as exc:  # noqa: BLE001 - report, never fail
        layer = f"unavailable ({one_line(exc)})"
    rows.append(("threading layer", layer))
    rows.append(("threads", f"{numba.get_num_threads()} (NUMBA_NUM_THREADS="
                            f"{numba.config.NUMBA_NUM_THREADS}, {os.cpu_count()} CPUs)"))
    rows.append(("svml", _svml()))
    from .. import _cpu

    rows.append(("512-bit vectors", "on (FASTDESCENT_WIDE_VECTORS=0 turns them off)"
                 if _cpu.WIDE_VECTORS else "off (Numba default, or not an AVX-512 CPU)"))
    d = cache_dir()
    rows.append(("cache dir", f"{d} ({'writable' if _writable(d) else 'NOT writable'})"))
    import importlib.util

    rows.append(("plotting", "fastdescent.plotting" if importlib.util.find_spec("matplotlib")
                 else "unavailable (matplotlib not installed)"))
    fig = _import_optional("fastdescent.figures")
    rows.append(("figures", "fastdescent.figures" if fig is not None else "not available"))
    w = max(len(k) for k, _ in rows)
    print("\n".join(f"{k:<{w}}  {v}" for k, v in rows))
    return 0


def _writable(d: Path) -> bool:
    try:
        d.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=d, suffix=".tmp")
        os.close(fd)
        os.remove(tmp)
        return True
    except OSError:
        return False


__all__ = ["cmd_list", "cmd_run", "cmd_sweep", "cmd_plot", "cmd_figures", "cmd_compile", "cmd_info",
           "cmd_explore", "PLOT_KINDS"]


# ---------------------------------------------------------------------------------- explore
def cmd_explore(args, extra) -> int:
    """``fastdescent explore``: serve the live explorer on localhost until Ctrl-C.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options: ``model``, ``optimizer``, ``formula``, ``box``, ``lang``,
        ``port``, ``no_browser``, ``export_dir``.
    extra : list of str
        Unparsed arguments (none are used).

    Returns
    -------
    int
        0 once the server stops.

    Raises
    ------
    UsageError
        If the port is out of range, the model or optimizer is unknown or the formula or
        its box is invalid.
    CLIError
        If Bokeh is not installed or the port cannot be bound.

    Examples
    --------
    The options as parsed, and a refused port (nothing is served):

    >>> from fastdescent.cli import build_parser
    >>> from fastdescent.cli.commands import cmd_explore
    >>> from fastdescent.cli.errors import UsageError
    >>> args, extra = build_parser().parse_known_args(["explore", "--port", "70000"])
    >>> args.model, args.optimizer, args.lang, args.no_browser
    ('gabor', 'gd', 'en', False)
    >>> try:
    ...     cmd_explore(args, extra)
    ... except UsageError as exc:
    ...     print(exc)
    --port must be in [0, 65535], got 70000
    """
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be in [0, 65535], got {args.port}")
    from ..explore import ExploreError, Explorer, require_bokeh

    try:
        require_bokeh()
    except ImportError as exc:
        raise CLIError(str(exc)) from None
    hyper = {"lr": 0.05} if args.optimizer == "gd" else {}
    try:
        ex = Explorer(args.model, args.optimizer, lang=args.lang, export_dir=args.export_dir,
                      tol=1e-3, formula=args.formula,
                      box=None if args.box is None else (args.box[:2], args.box[2:]), **hyper)
    except ExploreError as exc:
        raise UsageError(str(exc)) from None
    try:
        ex.serve(port=args.port, open_browser=not args.no_browser)
    except OSError as exc:
        raise CLIError(f"cannot serve on localhost:{args.port}: {exc}") from None
    return 0
