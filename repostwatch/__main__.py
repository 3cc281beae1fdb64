"""``python -m repostwatch`` runs the repostwatch CLI."""

import sys

from .cli import main

sys.exit(main())
