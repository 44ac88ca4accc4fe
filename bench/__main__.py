"""`make bench`: the speed issue fills this with the load runs against the static bound."""

import sys

if __name__ == "__main__":
    sys.stdout.write("No benchmarks yet: the speed issue adds them (see README, Benchmarks).\n")
