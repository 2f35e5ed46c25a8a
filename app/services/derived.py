"""Derived data (counters, search indexes, statistics aggregates…): the one list of rebuilders.

Tables derived from reports and their log are kept current by ``@on_event`` hooks, action by
action. Data loaded in bulk without the workflow (``flask perf generate``) bypasses those
hooks, so a module that owns derived data registers here how to rebuild it from the reports and
the log; the bulk loader calls ``rebuild_all()`` once it has loaded. A rebuilder works in the
current session and leaves the commit to the caller.
"""
from __future__ import annotations

from collections.abc import Callable

Rebuilder = Callable[[], None]
REBUILDERS: dict[str, Rebuilder] = {}


def rebuilds(name: str) -> Callable[[Rebuilder], Rebuilder]:
    """Register ``rebuild`` under ``name`` (what it rebuilds, shown by the loader)."""

    def register(rebuild: Rebuilder) -> Rebuilder:
        REBUILDERS[name] = rebuild
        return rebuild

    return register


def rebuild_all(progress: Callable[[str], None] = lambda name: None) -> list[str]:
    """Run every registered rebuilder, in registration order; return their names."""
    for name, rebuild in REBUILDERS.items():
        progress(name)
        rebuild()
    return list(REBUILDERS)
