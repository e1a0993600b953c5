"""A process that ran loads ends without sweeping every object it made.

A run's process holds millions of objects that Python's cycle collector tracks (Dagster's,
Great Expectations', pandas', the run's frames). As it ends, CPython runs full collections
over every one of them while it tears its modules down, only to free memory the operating
system takes back anyway: 1.5 s of a 6.5 s one-authority night here, a quarter of it.
:func:`skip_last_sweep` freezes them when the process exits (``gc.freeze``: they move to a
generation no collection visits), so those collections find nothing to do.

Nothing that must happen at exit depends on that sweep: the atexit handlers (logging's
flush, SQLAlchemy's and Dagster's clean-ups, temporary folders' removal) still run, and the
files and connections they close are closed as before. Objects left in reference cycles are
not finalised, which Python never promises for objects alive at exit.
"""

import atexit
import gc


def skip_last_sweep() -> None:
    """Freeze the collector's objects as this process exits (once however often called)."""
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
