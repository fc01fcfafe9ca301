"""``python -m midan`` runs the command line."""

import sys

from midan.cli import main

sys.exit(main())
