"""`make bench` (`python -m bench`): see bench/run.py and README.md, Benchmarks."""

import sys

from bench.run import main

if __name__ == "__main__":
    sys.exit(main())
