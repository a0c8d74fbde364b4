"""``python -m mmallinone COMMAND ...``: the ``mmallinone`` command."""
import sys

from mmallinone.cli import main

sys.exit(main())
