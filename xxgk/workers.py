"""A small pool of worker processes, each under a hard memory limit (`RLIMIT_AS`) and each job
under a time limit, so that one job can cost at most its limits, never its caller.

A worker is a fresh interpreter (not a fork: it shares no threads, locks or memory with its
caller, and its caller's main module is not run again) that imports the pool's `preload`
modules once, then runs jobs until its pipe closes. A job is a module-level function and its
arguments; it runs in the first idle worker, and `run` returns what it returns. A job that runs
out of memory, overruns its time or kills its worker raises `OverLimit`, and the worker is
replaced (when the next job needs one). Callers run jobs in parallel from threads: each takes a
worker of its own while its job runs.
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import queue
import resource
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Literal


@dataclass(frozen=True)
class Limits:
    memory_bytes: int  # a worker's address space, RLIMIT_AS (its modules included)
    seconds: float  # one job's wall-clock time
    jobs: int = 500  # jobs a worker runs before it is replaced (its heap fragments)
    resident_bytes: int = 512 << 20  # a worker left holding more after a job is replaced


class OverLimit(Exception):
    """The job went over a limit (`memory`, `time`) or its worker died (`crash`)."""

    def __init__(self, limit: Literal["memory", "time", "crash"], message: str) -> None:
        super().__init__(message)
        self.limit = limit
        self.message = message


STARTUP_SECONDS = 60.0  # for a worker to import its modules
# a worker's main: the caller's module path, then `serve`
_BOOT = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
    "from xxgk.workers import serve; serve()"
)


class _Worker:
    def __init__(self, limits: Limits, preload: Sequence[str]) -> None:
        jobs_read, jobs_write = os.pipe()
        replies_read, replies_write = os.pipe()
        arguments = [str(jobs_read), str(replies_write), str(limits.memory_bytes), *preload]
        self.process = subprocess.Popen(
            [sys.executable, "-c", _BOOT, json.dumps(sys.path), *arguments],
            stdin=subprocess.DEVNULL,
            pass_fds=(jobs_read, replies_write),
        )
        os.close(jobs_read)
        os.close(replies_write)
        self.jobs = Connection(jobs_write, readable=False)
        self.replies = Connection(replies_read, writable=False)
        self.done = 0

    def ready(self) -> bool:
        """Whether the worker has imported its modules (a job's time starts after)."""
        try:
            return self.replies.poll(STARTUP_SECONDS) and self.replies.recv() == "ready"
        except (EOFError, OSError):
            return False

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, *, kill: bool = False) -> None:
        self.jobs.close()  # an idle worker exits at its pipe's end
        if kill:
            self.process.kill()
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.replies.close()


class Pool:
    def __init__(self, size: int, limits: Limits, preload: Sequence[str] = ()) -> None:
        self.size = size
        self.limits = limits
        self.preload = tuple(preload)
        self._idle: queue.SimpleQueue[_Worker | None] = queue.SimpleQueue()
        for _ in range(size):
            self._idle.put(None)  # a free place: its worker starts when a job needs it
        self._lock = threading.Lock()
        self._live: set[_Worker] = set()

    def run(self, function: Callable[..., Any], *args: Any) -> Any:
        worker = self._idle.get()
        try:
            if worker is None or not worker.alive():
                self._retire(worker)
                worker = self._start()
            outcome, resident = self._job(worker, function, args)
            if worker.done >= self.limits.jobs or resident > self.limits.resident_bytes:
                self._retire(worker)
                worker = None
        except BaseException:
            self._retire(worker, kill=True)
            worker = None
            raise
        finally:
            self._idle.put(worker)
        return outcome

    def _job(self, worker: _Worker, function: Callable[..., Any], args: tuple) -> tuple[Any, int]:
        """What the job returned, and the worker's resident bytes after."""
        worker.done += 1
        try:
            worker.jobs.send((function, args))
        except OSError as error:  # the worker is gone
            raise self._death(worker) from error
        deadline = time.monotonic() + self.limits.seconds
        while not worker.replies.poll(max(0.0, deadline - time.monotonic())):
            if time.monotonic() >= deadline:
                raise OverLimit("time", f"over the {self.limits.seconds:g}-second limit")
        try:
            status, value, resident = worker.replies.recv()
        except (EOFError, OSError) as error:
            raise self._death(worker) from error
        if status == "memory":
            raise OverLimit("memory", f"over the {self.limits.memory_bytes >> 20} MB limit")
        if status == "raised":
            raise RuntimeError(value)
        return value, resident

    def _death(self, worker: _Worker) -> OverLimit:
        try:
            code = worker.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        if code == -signal.SIGKILL:  # the kernel's OOM killer, or an operator
            return OverLimit("memory", "the worker was killed (out of memory?)")
        return OverLimit("crash", f"the worker died (exit status {code})")

    def _start(self) -> _Worker:
        worker = _Worker(self.limits, self.preload)
        with self._lock:
            self._live.add(worker)
        if not worker.ready():
            self._retire(worker, kill=True)
            raise OverLimit("crash", "a worker did not start (its modules under the limits?)")
        return worker

    def _retire(self, worker: _Worker | None, *, kill: bool = False) -> None:
        if worker is None:
            return
        with self._lock:
            self._live.discard(worker)
        worker.stop(kill=kill)

    def close(self) -> None:
        with self._lock:
            live, self._live = self._live, set()
        for worker in live:
            worker.stop()


_pools: dict[tuple[int, Limits, tuple[str, ...]], Pool] = {}
_pools_lock = threading.Lock()


def shared(size: int, limits: Limits, preload: Sequence[str] = ()) -> Pool:
    """The process's pool of `size` workers under `limits`, each importing `preload` first
    (one pool per setting, closed at exit)."""
    key = (size, limits, tuple(preload))
    with _pools_lock:
        if key not in _pools:
            _pools[key] = Pool(size, limits, preload)
        return _pools[key]


@atexit.register
def _close_pools() -> None:
    for pool in list(_pools.values()):
        pool.close()


def cpu_count() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def serve() -> None:
    """A worker's main: its pipes, memory limit and modules from the command line, then jobs
    until the pipe closes. A job's exception comes back as its traceback's text; a MemoryError
    ends the worker (its heap is no longer to be trusted)."""
    jobs_fd, replies_fd, memory_bytes, *preload = sys.argv[2:]
    jobs = Connection(int(jobs_fd), writable=False)
    replies = Connection(int(replies_fd), readable=False)
    resource.setrlimit(resource.RLIMIT_AS, (int(memory_bytes), int(memory_bytes)))
    for module in preload:
        importlib.import_module(module)
    replies.send("ready")
    while True:
        try:
            function, args = jobs.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, Any] = ("done", function(*args))
        except MemoryError:
            reply = ("memory", None)
        except BaseException:
            reply = ("raised", traceback.format_exc(limit=-8))
        del function, args
        try:
            replies.send((*reply, _resident()))
        except MemoryError:
            replies.send(("memory", None, 0))
        if reply[0] == "memory":
            return


def _resident() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()
