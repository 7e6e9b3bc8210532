"""``python -m cli``: the same as the ``papi`` command."""

from cli.main import main

main()
