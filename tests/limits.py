"""How long a parse takes and how much it allocates."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable

from parsers import ParseError


def measured(run: Callable[[], object]) -> tuple[object, float, int]:
    """What `run` returns (or the ParseError it raises), its seconds and its peak of Python
    allocations."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result: object = run()
    except ParseError as error:
        result = error
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak
