"""`python -m xxgk.cli`, the same as the `xxgk` command."""

import sys

from xxgk.cli import main

sys.exit(main())
