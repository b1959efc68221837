"""Entry point of the frozen app: the same command line as `latency-advisor`.

The bundle is also its own benchmark worker: `BenchJob` starts it with `--bench-worker`.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    if sys.argv[1:2] == ["--bench-worker"]:
        from latency_advisor.bench.worker import main as worker_main

        sys.exit(worker_main())
    from latency_advisor.cli import main

    sys.exit(main())
