"""The ``papi`` command line: a thin front end over :class:`~assistant.core.facade.Assistant`."""
