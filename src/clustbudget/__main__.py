"""``python -m clustbudget``: the same as the ``clustbudget`` command."""

from .cli import main

main()
