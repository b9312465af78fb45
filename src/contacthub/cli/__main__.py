"""``python -m contacthub.cli``: the ``contacthub`` command."""

import sys

from contacthub.cli.commands import main

sys.exit(main())
