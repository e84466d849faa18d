"""`python -m service summarize PATH…`: see service/cli.py."""

import sys

from service.cli import main

sys.exit(main())
