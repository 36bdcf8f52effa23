"""`python -m cli`: the `trialmatch` command without the installed entry point."""

import sys

from cli.main import main

sys.exit(main())
