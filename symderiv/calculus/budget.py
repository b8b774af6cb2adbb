"""The clock every time bound is measured on: CPU seconds, not wall seconds.

A loaded machine stretches wall time several-fold but barely changes the CPU time a
computation needs, so a bound in CPU seconds gives the same answer (1/4, not 0.2500 after
a timed-out proof) on a busy machine as on an idle one.
"""

import time

try:
    import resource
except ImportError:  # no resource module (Windows): no forked children to count either
    resource = None


def cpu_clock() -> float:
    """CPU seconds (user + system) used by this process and its children reaped so far:
    a bounded proof's child counts against the budget of the check that started it."""
    if resource is None:
        return time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime
