"""The ``fastdescent`` command line.

::

    fastdescent list models|optimizers|schedules|figures
    fastdescent run EXPERIMENT.toml [--resume] [--threads N] [--no-progress] [--quick] [-o OUT]
    fastdescent sweep --model gabor --optimizer adam --lr 1e-3:1:64:log --grid 256 \\
        --steps 500 -o out.nc
    fastdescent plot OUT.nc --kind basins|hyper|convergence [-o fig.png]
    fastdescent figures [--lang es|en] [--only 6.4,6.9] [--quick] [-o DIR]
    fastdescent compile [MODEL ...] [--all] [--no-minibatch]
    fastdescent explore [--port 5006] [--no-browser] [--lang es|en] [--formula LOSS]
    fastdescent info

Exit codes: 0 success, 1 runtime failure, 2 bad input (command line, experiment file, data).
Errors are one line on stderr; ``--debug`` adds the traceback. The experiment file format is
described in :mod:`fastdescent.cli.experiment`.
"""
from __future__ import annotations

import argparse
import sys
import traceback

from .errors import CLIError, UsageError, one_line, suggest

__all__ = ["main", "build_parser", "CLIError", "UsageError"]

PROG = "fastdescent"


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit 2) and a nearest-choice hint."""

    def error(self, message):
        if "invalid choice" in message:
            import re

            m = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
            if m:
                choices = re.findall(r"'([^']*)'", m.group(2))
                message += suggest(m.group(1), choices)
        self.exit(2, f"{self.prog}: error: {one_line(message)} (see {self.prog} --help)\n")


def _version() -> str:
    from .._version import __version__

    return __version__


def _add_common(p, debug_default=argparse.SUPPRESS):
    p.add_argument("--debug", action="store_true", default=debug_default,
                   help="show the traceback of an error")


def _add_exec(p):
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted run from its chunk store")
    p.add_argument("--threads", type=int, metavar="N", help="Numba threads (default: all)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: on in a terminal)")
    p.add_argument("--quick", action="store_true",
                   help="smoke test: at most 20 steps, 8 grid points per axis, 32 random "
                        "starts, 3 values per sweep axis, 2 seeds")
    p.add_argument("--max-memory", metavar="SIZE",
                   help="memory the run may use, e.g. 8GiB, 500MB or 50%% (of the available "
                        "memory; default 80%%); checked before anything is allocated")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on a Dask cluster, e.g. tcp://host:8786 (needs "
                        "fastdescent[dask]); same result as a local run")
    p.add_argument("--dtype", choices=("float64", "float32"), default=None,
                   help="precision of the run (default: the experiment's, else float64); "
                        "float32 is about twice as fast, see the performance guide")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``fastdescent`` and its subcommands (each sets ``func``,
    the function that runs it).

    Returns
    -------
    argparse.ArgumentParser

    Examples
    --------
    >>> from fastdescent.cli import build_parser
    >>> args, extra = build_parser().parse_known_args(
    ...     ["sweep", "--model", "gabor", "--optimizer", "adam", "--grid", "8", "--beta", "0.8"])
    >>> args.command, args.model, args.optimizer, args.grid, extra
    ('sweep', 'gabor', 'adam', '8', ['--beta', '0.8'])
    """
    from . import commands as C
    from .experiment import PLOT_KINDS, RANGE_HELP

    parser = _Parser(prog=PROG, description="Run many gradient-descent trajectories at once "
                     "(Numba), sweep hyperparameters and starting points, plot the results.",
                     epilog="Exit codes: 0 ok, 1 runtime failure, 2 bad input.")
    parser.add_argument("--version", action="version", version=f"{PROG} {_version()}")
    _add_common(parser, debug_default=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("list", help="list models, optimizers, schedules or figures",
                       description="List the registered models, optimizers, learning-rate "
                       "schedules or lecture figures, with their parameters and defaults.")
    p.add_argument("what", nargs="?", choices=list(C.LISTS),
                   help="what to list (default: everything)")
    _add_common(p)
    p.set_defaults(func=C.cmd_list)

    p = sub.add_parser("run", help="run an experiment file (TOML)",
                       description="Run the sweep an experiment file describes and save it "
                       "atomically (.nc or .zarr). Format: see fastdescent.cli.experiment or "
                       "experiments/configs/*.toml. Finished chunks are streamed to a store "
                       "([output].store, default <path>.store) so that --resume can continue "
                       "an interrupted run.")
    p.add_argument("experiment", metavar="EXPERIMENT.toml")
    p.add_argument("-o", "--output", metavar="PATH", help="override [output].path")
    _add_exec(p)
    _add_common(p)
    p.set_defaults(func=C.cmd_run)

    p = sub.add_parser(
        "sweep", help="a sweep from flags, without an experiment file", allow_abbrev=False,
        description="A sweep without an experiment file. Any hyperparameter of the optimizer "
        f"is a flag --NAME VALUE|LIST|RANGE (a range: {RANGE_HELP}; a list: 0,0.5,0.9); a "
        "range or a list becomes an axis of the result. --hyper NAME=VALUE does the same "
        "(for names that clash with an option, e.g. line_search's tol).",
        epilog="example: fastdescent sweep --model gabor --optimizer adam "
        "--lr 1e-3:1:64:log --grid 256 --steps 500 -o out.nc")
    p.add_argument("--model", help="a registered model (required; fastdescent list models)")
    p.add_argument("--model-arg", action="append", metavar="KEY=VALUE",
                   help="an argument of the model's factory (repeatable; VALUE in TOML syntax)")
    p.add_argument("--data", metavar="CSV", help="data file with columns x,y")
    p.add_argument("--optimizer",
                   help="a registered optimizer (required; fastdescent list optimizers)")
    p.add_argument("--hyper", action="append", metavar="NAME=VALUE",
                   help="a hyperparameter value, list or range (repeatable)")
    p.add_argument("--grid", metavar="N[,M...]", help="grid points per axis (default 64)")
    p.add_argument("--random", type=int, metavar="N", help="N uniform random starts")
    p.add_argument("--lhs", type=int, metavar="N", help="N Latin-hypercube starts")
    p.add_argument("--start-seed", type=int, metavar="S", help="seed of --random / --lhs")
    p.add_argument("--box", metavar="LO,HI,...", help="start box: one lo,hi pair per parameter")
    p.add_argument("--params", metavar="P1,P2", help="grid over these parameters only")
    p.add_argument("--fixed", metavar="V,...", help="values of all parameters (with --params)")
    p.add_argument("--steps", type=int, help="step budget per trajectory (required)")
    p.add_argument("--seed", type=int, default=0, help="minibatch stream key (default 0)")
    p.add_argument("--seeds", type=int, metavar="N", help="add a seed axis of N seeds")
    p.add_argument("--tol", type=float, help="stop when the gradient norm is below TOL")
    p.add_argument("--batch-size", type=int, metavar="B", help="minibatch size (data models)")
    p.add_argument("--record-every", type=int, metavar="K", help="record paths every K steps")
    p.add_argument("--schedule", metavar="NAME[,K=V...]",
                   help="learning-rate schedule, e.g. cosine,total_steps=500")
    p.add_argument("-o", "--output", metavar="PATH", help="output .nc or .zarr (required)")
    p.add_argument("--store", metavar="DIR", help="chunk store (default <output>.store)")
    p.add_argument("--chunk-size", type=int, metavar="N", help="trajectories per chunk")
    p.add_argument("--plots", metavar="KINDS", help=f"comma list of {', '.join(PLOT_KINDS)}")
    _add_exec(p)
    _add_common(p)
    p.set_defaults(func=C.cmd_sweep)

    p = sub.add_parser("plot", help="a figure from a saved dataset",
                       description="Draw a figure from a saved sweep (.nc/.zarr): basins of "
                       "attraction over the starting grid, loss curves (needs record_every or "
                       "tol), or final loss and divergence against the first swept "
                       "hyperparameter.")
    p.add_argument("dataset", metavar="OUT.nc")
    p.add_argument("--kind", choices=PLOT_KINDS, default="basins", help="default: basins")
    p.add_argument("-o", "--output", metavar="FIG.png",
                   help="figure path (default: <dataset stem>-<kind>.png)")
    _add_common(p)
    p.set_defaults(func=C.cmd_plot)

    p = sub.add_parser("figures", help="regenerate the lecture figures",
                       description="Regenerate the lecture figures (delegates to "
                       "fastdescent.figures).")
    p.add_argument("--lang", choices=("es", "en"), default=None,
                   help="one language (default: both)")
    p.add_argument("--only", metavar="IDS", help="comma list of figure ids, e.g. 6.4,6.9")
    p.add_argument("--quick", action="store_true", help="small grids and few steps")
    p.add_argument("--research", action="store_true", help="full-resolution grid studies")
    p.add_argument("--scripts", metavar="DIR", default=None,
                   help="folder of the figure scripts (default: $FASTDESCENT_EXPERIMENTS, "
                        "else the repository's experiments/)")
    p.add_argument("-o", "--output", metavar="DIR", default="figures",
                   help="output directory (default: figures)")
    _add_common(p)
    p.set_defaults(func=C.cmd_figures)

    p = sub.add_parser("compile", help="build the compiled engine ahead of use",
                       description="Build (or load from the cache) the model-independent engine, "
                       "every update rule and the kernels of the given models, so that later "
                       "runs start at once. "
                       "Once per machine and fastdescent version, e.g. in a course image or on "
                       "each Dask worker.")
    p.add_argument("models", nargs="*", metavar="MODEL",
                   help="registered models to build as well (default: linear_regression_1d "
                        "gabor, the lecture's)")
    p.add_argument("--all", action="store_true", help="every registered model")
    p.add_argument("--no-minibatch", action="store_true",
                   help="skip the minibatch (SGD) kernels")
    _add_common(p)
    p.set_defaults(func=C.cmd_compile)

    p = sub.add_parser("explore", help="the live explorer in the browser",
                       description="Start the live explorer (a local web page: loss surface "
                       "and clicked trajectories, basin maps, hyperparameter maps, zoom, "
                       "export of figures and experiment files) and open it in the browser. "
                       "Serves only on localhost. Needs pip install fastdescent[explore].")
    p.add_argument("--port", type=int, default=5006, help="port on localhost (default 5006)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.add_argument("--lang", choices=("es", "en"), default="en",
                   help="language of the page and the exported figures (default en)")
    p.add_argument("--model", default="gabor", help="model shown first (default gabor)")
    p.add_argument("--optimizer", default="gd", help="optimizer shown first (default gd)")
    p.add_argument("--formula", metavar="LOSS",
                   help="a loss of two parameters typed as a formula, shown first, e.g. "
                   "\"(x**2 + y - 11)**2 + (x + y**2 - 7)**2\"")
    p.add_argument("--box", type=float, nargs=4, metavar=("X0", "X1", "Y0", "Y1"),
                   help="the formula's box (default -2 2 -2 2)")
    p.add_argument("--export-dir", default="explore", metavar="DIR",
                   help="where the export button writes figures and TOML (default ./explore)")
    _add_common(p)
    p.set_defaults(func=C.cmd_explore)

    p = sub.add_parser("info", help="versions, threading, SVML, cache directory",
                       description="Report versions, Numba's threading layer and thread count, "
                       "SVML availability and the compiled-engine cache directory.")
    _add_common(p)
    p.set_defaults(func=C.cmd_info)
    return parser


def _options(parser) -> list[str]:
    return [s for a in parser._actions for s in a.option_strings]


def main(argv=None) -> int:
    """Entry point of the ``fastdescent`` console script; returns the exit code.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after ``fastdescent`` (default ``sys.argv[1:]``).

    Returns
    -------
    int
        0 success, 1 runtime failure, 2 bad input, 130 interrupted; errors are one line on
        stderr (``--debug``: the traceback).

    Examples
    --------
    >>> from fastdescent.cli import main
    >>> main(["list", "schedules"])
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
    >>> main(["sweep", "--model", "gabbor"])      # bad input: exit code 2, message on stderr
    2
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    try:
        parser = build_parser()
        args, extra = parser.parse_known_args(argv)
    except SystemExit as exc:  # --help, --version, bad arguments
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    debug = debug or bool(getattr(args, "debug", False))
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    if extra and args.command != "sweep":
        sp = parser._subparsers._group_actions[0].choices[args.command]
        hint = suggest(extra[0], _options(sp)) if extra[0].startswith("-") else ""
        print(f"{PROG} {args.command}: error: unrecognized arguments: {' '.join(extra)}{hint} "
              f"(see {PROG} {args.command} --help)", file=sys.stderr)
        return 2
    if args.command == "sweep":
        args._options = _options(parser._subparsers._group_actions[0].choices["sweep"])
    try:
        if args.command == "figures":
            i = argv.index("figures")
            return args.func(args, extra, [a for a in argv[i + 1:] if a != "--debug"])
        return int(args.func(args, extra) or 0)
    except CLIError as exc:
        if debug:
            traceback.print_exc()
        print(f"{PROG}: error: {one_line(exc)}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # output piped into `head`
        import os

        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 0
    except KeyboardInterrupt:
        if debug:
            traceback.print_exc()
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - one line, exit 1 (traceback with --debug)
        if debug:
            traceback.print_exc()
        msg = one_line(exc) or type(exc).__name__
        print(f"{PROG}: error: {type(exc).__name__}: {msg}", file=sys.stderr)
        return 1
