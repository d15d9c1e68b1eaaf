"""``python -m fastdescent``: the command line (see :mod:`fastdescent.cli`)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
