"""Entry point of the frozen app: the same command line as `latency-advisor`."""

import multiprocessing
import sys

from latency_advisor.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # benchmark workers re-enter the frozen executable
    sys.exit(main())
