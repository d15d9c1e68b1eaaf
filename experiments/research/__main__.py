"""``python -m experiments.research [ids...] [--quick] [--lang en|es] [-o DIR]``."""
import argparse
import sys

from . import STUDIES, run_studies


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m experiments.research",
                                description="Run the grid studies (docs/research.md).")
    p.add_argument("ids", nargs="*", help=f"studies to run (default all: {', '.join(STUDIES)})")
    p.add_argument("--quick", action="store_true", help="coarse grids, short runs")
    p.add_argument("--lang", choices=("en", "es"), help="one language (default both)")
    p.add_argument("-o", "--output", default="figures", help="output directory")
    a = p.parse_args(argv)
    paths = run_studies(a.ids or None, quick=a.quick, outdir=a.output, lang=a.lang,
                        verbose=True)
    print(f"wrote {len(paths)} files under {a.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
