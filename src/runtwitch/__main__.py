"""``python -m runtwitch``: the ``runtwitch`` command (docs/cli.md)."""

import sys

from runtwitch.cli import main

sys.exit(main())
