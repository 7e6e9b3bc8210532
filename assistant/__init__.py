"""PAPI Assistant core: index, retrieval, answers, quiz and the :class:`Assistant` facade.

Build it with :func:`assistant.core.composition.build_assistant` from a
:class:`assistant.core.settings.Settings`; nothing is built at import time.
"""
