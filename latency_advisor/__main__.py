import sys

from latency_advisor.cli import main

sys.exit(main())
