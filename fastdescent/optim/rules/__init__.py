"""The built-in update rules, one per module; each module defines one record, ``RULE``.

:mod:`fastdescent.optim.registry` registers every record it finds here (in module-name order),
so a new built-in rule is one new file here - its kernel, record and factory - plus its
reference loop in ``tests/reference.py``. The factories are re-exported by
:mod:`fastdescent.optim`. Modules here import the record types and the shared pieces, never
the registry.
"""
