"""``python -m incident_kg.cli``: the same as the ``incident-kg`` command."""

from . import main

main()
