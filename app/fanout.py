"""Fanning solves out — budget sweeps, least-budget searches, risk batches — to threads here or to Dask.

A job opens a `Batch` on a `Fanout`, submits task functions to it and waits on the concurrent.futures
futures it gets back. A task function is called as `fn(*args, stop=event, **kwargs)`: `event` is a
`threading.Event` it honours the way `solver.solve` does, so the same function runs in a thread of this
process (`LocalThreads`: the rules' own default and their tests) or in a Dask worker process on this or
another machine (`DaskFanout`: the server and the CLI). On Dask the batch's stop is mirrored to a Dask
`Event` that every running task polls, and `Batch.cancel_pending` cancels the futures not yet done (Dask
releases their tasks). A worker lost mid-batch is Dask's to handle: the scheduler runs its tasks again on
another worker; task functions are pure functions of their arguments, so the figures do not change.

distributed is imported only when a Dask fan-out is first used (it takes seconds to import).
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import os
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, Self

log = logging.getLogger(__name__)

STOP_POLL_SECONDS = 0.5  # how often a task running on a Dask worker asks whether its batch was stopped
CONNECT_TIMEOUT_SECONDS = 20.0  # the default of CAPSCHED_DASK_CONNECT_TIMEOUT (app/settings.py)


class FanoutError(RuntimeError):
    """The fan-out cannot be used (no Dask scheduler at the address, workers without capsched…); the message
    says what to do."""


class Batch(ABC):
    """Tasks submitted together, stopped together. A context manager: leaving it cancels what is left."""

    def __init__(self, stop: threading.Event | None) -> None:
        self.stop = stop
        self._futures: list[cf.Future[Any]] = []

    @abstractmethod
    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        """Run `fn(*args, stop=…, **kwargs)` somewhere; its future."""

    def map(self, fn: Callable[..., Any], arguments: Iterable[tuple[Any, ...]]) -> list[cf.Future[Any]]:
        """`submit(fn, *args)` for each tuple of `arguments`, in order; on Dask in one request."""
        return [self.submit(fn, *args) for args in arguments]

    def share(self, value: Any) -> Any:
        """A handle to pass to many tasks instead of `value` (sent once, not with every task)."""
        return value

    def cancel_pending(self) -> None:
        """Cancel every future of the batch that has not finished."""
        for future in self._futures:
            future.cancel()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.cancel_pending()
        self.close()

    @abstractmethod
    def close(self) -> None:
        """Release what the batch holds."""


class Fanout(ABC):
    """Where a job's tasks run."""

    @property
    @abstractmethod
    def cores(self) -> int:
        """The CPU threads the tasks share: this machine's cores for threads, every Dask worker's threads
        together for a cluster (how many one-thread tasks run at once)."""

    @abstractmethod
    def batch(self, stop: threading.Event | None = None) -> Batch:
        """A new batch whose tasks see `stop` (when set, running tasks are told to end)."""

    @abstractmethod
    def describe(self) -> str:
        """Where the tasks run, in a few words (for the CLI and the logs)."""

    @abstractmethod
    def close(self) -> None:
        """Stop what the fan-out started (a local cluster)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


# ── threads of this process ──────────────────────────────────────────────────────────────────────


class _ThreadBatch(Batch):
    def __init__(self, stop: threading.Event | None, threads: int) -> None:
        super().__init__(stop)
        self._pool = cf.ThreadPoolExecutor(max_workers=threads, thread_name_prefix="capsched-task")

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        future = self._pool.submit(fn, *args, stop=self.stop, **kwargs)
        self._futures.append(future)
        return future

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class LocalThreads(Fanout):
    """Tasks on threads of this process (`threads` at once, default one per core)."""

    def __init__(self, threads: int | None = None) -> None:
        self._threads = max(1, threads or os.cpu_count() or 1)

    @property
    def cores(self) -> int:
        return os.cpu_count() or 1

    def batch(self, stop: threading.Event | None = None) -> Batch:
        return _ThreadBatch(stop, self._threads)

    def describe(self) -> str:
        return f"{self._threads} thread(s) of this process"

    def close(self) -> None:
        """Nothing to stop: each batch shuts its own threads down."""


# ── Dask ─────────────────────────────────────────────────────────────────────────────────────────


def run_task(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], stop_name: str) -> Any:
    """What a Dask worker runs: `fn(*args, stop=…, **kwargs)` with a local Event set once the batch's Dask
    Event named `stop_name` is (polled every STOP_POLL_SECONDS on a thread)."""
    from distributed import Event, get_client

    remote = Event(stop_name, client=get_client())  # the worker's client, resolved on the task's thread
    local = threading.Event()
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(STOP_POLL_SECONDS):
            try:
                if remote.is_set():
                    local.set()
                    return
            except (OSError, RuntimeError, AttributeError) as err:  # the scheduler or client went away
                # (a closing client has no scheduler: AttributeError): the task ends on its own
                log.debug("stop watch of %s ended: %s", stop_name, err)
                return

    watcher = threading.Thread(target=watch, name="capsched-stop-watch", daemon=True)
    watcher.start()
    try:
        return fn(*args, stop=local, **kwargs)
    finally:
        finished.set()


def _mirrored(remote: Any) -> cf.Future[Any]:
    """A concurrent.futures future that ends as the Dask future `remote` does (its result, its error, or
    cancelled)."""
    local: cf.Future[Any] = cf.Future()

    def settle(done: Any) -> None:  # on a thread of Dask's client
        if done.cancelled():
            local.cancel()
            return
        if not local.set_running_or_notify_cancel():
            return  # cancelled here first
        try:
            local.set_result(done.result())
        except BaseException as error:  # the task's own error, raised in the waiting caller
            local.set_exception(error)

    remote.add_done_callback(settle)
    return local


def hold(value: Any) -> Any:
    """A task whose result is `value`: shared inputs live on a worker like any result, and are computed
    again from the task if that worker is lost."""
    return value


def capsched_version() -> str:
    """The capsched version this process runs (asked of every worker before a batch)."""
    from app import __version__

    return __version__


class _DaskBatch(Batch):
    def __init__(self, stop: threading.Event | None, client: Any) -> None:
        from distributed import Event

        super().__init__(stop)
        self._client = client
        self._executor = client.get_executor(pure=False)
        self._stop_name = f"capsched-stop-{uuid.uuid4().hex}"
        self._event = Event(self._stop_name, client=client)
        self._held: list[Any] = []
        self._remote: list[Any] = []  # the Dask futures of `map`
        self._closed = threading.Event()
        self._watcher = threading.Thread(target=self._mirror_stop, name="capsched-batch-stop", daemon=True)
        self._watcher.start()

    def _mirror_stop(self) -> None:
        if self.stop is None:
            return
        while not self._closed.is_set():
            if self.stop.wait(0.1):
                self._event.set()
                return

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        future = self._executor.submit(run_task, fn, args, kwargs, self._stop_name)
        self._futures.append(future)
        return future

    def map(self, fn: Callable[..., Any], arguments: Iterable[tuple[Any, ...]]) -> list[cf.Future[Any]]:
        """One `Client.map` for the lot: a risk analysis's 5,000 samples reached the scheduler in ~0.2 s
        this way against ~1.7 s submitted one by one (9 s beside a running solve), so its progress showed
        "samples" that much sooner (bench/RESULTS.md). Each Dask future is mirrored to a concurrent.futures
        one, as the executor's are."""
        listed = list(arguments)
        if not listed:
            return []
        remote = self._client.map(
            run_task,
            [fn] * len(listed),
            listed,
            [{}] * len(listed),
            [self._stop_name] * len(listed),
            pure=False,
        )
        self._remote.extend(remote)
        futures = [_mirrored(future) for future in remote]
        self._futures.extend(futures)
        return futures

    def share(self, value: Any) -> Any:
        held = self._client.submit(hold, value, pure=False)
        self._held.append(held)
        return held

    def cancel_pending(self) -> None:
        """One request for the whole batch: the executor's `shutdown(wait=False)` cancels its Dask futures
        together, and one `Client.cancel` those of `map`. Cancelling them one by one costs a round trip to
        the scheduler each: a stopped risk analysis of 5,000 samples took ~7.5 s to end that way
        (bench/RESULTS.md). Then the concurrent.futures futures, whose own cancel no longer reaches the
        scheduler."""
        self._executor.shutdown(wait=False)
        pending = [future for future in self._remote if not future.done()]
        if pending:
            self._client.cancel(pending)
        super().cancel_pending()

    def close(self) -> None:
        self._closed.set()
        self._watcher.join()
        for held in self._held:
            held.release()
        self._remote.clear()  # their results may go from the workers
        # A set stop stays set: the batch's tasks still running on workers read it only every
        # STOP_POLL_SECONDS, and clearing it here (as before) let them miss it and run to their own limit,
        # keeping a worker from the next batch. The name is the batch's own (a uuid), so nothing else sees
        # it; the scheduler keeps one small Event per stopped batch.


class DaskFanout(Fanout):
    """Tasks on a Dask cluster: the scheduler at `address` (CAPSCHED_DASK_ADDRESS), or a LocalCluster of
    `workers` processes (default one per core) with one thread each, started at first use and closed by
    `close`. Every worker must run this capsched version (checked before each batch)."""

    def __init__(
        self,
        *,
        address: str | None = None,
        workers: int | None = None,
        connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    ) -> None:
        self._address = address
        self._connect_timeout = connect_timeout
        self._workers = max(1, workers or os.cpu_count() or 1)
        self._lock = threading.Lock()
        self._cluster: Any = None
        self._client: Any = None

    @property
    def client(self) -> Any:
        """The Dask client, connecting (or starting the local cluster) on first use."""
        with self._lock:
            if self._client is None:
                self._client = self._connect()
            return self._client

    def _connect(self) -> Any:
        from distributed import Client, LocalCluster

        if self._address:
            try:
                return Client(self._address, timeout=self._connect_timeout, set_as_default=False)
            except (OSError, TimeoutError) as err:
                raise FanoutError(
                    f"cannot reach the Dask scheduler at {self._address} (CAPSCHED_DASK_ADDRESS): {err}"
                ) from err
        log.info("starting a Dask LocalCluster of %d worker process(es)", self._workers)
        self._cluster = LocalCluster(
            n_workers=self._workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
        )
        return Client(self._cluster, set_as_default=False)

    @property
    def started(self) -> bool:
        return self._client is not None

    @property
    def cores(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def batch(self, stop: threading.Event | None = None) -> Batch:
        client = self.client
        self._check_workers(client)
        return _DaskBatch(stop, client)

    def _check_workers(self, client: Any) -> None:
        from app import __version__

        if not client.nthreads():
            try:
                client.wait_for_workers(1, timeout=self._connect_timeout)
            except TimeoutError as err:
                raise FanoutError(
                    f"no Dask worker has joined the scheduler at {self._address or 'the local cluster'} "
                    f"within {self._connect_timeout:g} s: start one with `dask worker <scheduler address>`"
                ) from err
        try:
            versions = client.run(capsched_version)
        except (ImportError, ModuleNotFoundError) as err:
            raise FanoutError(
                f"a Dask worker cannot import capsched ({err}): install capsched {__version__} on every worker"
            ) from err
        wrong = {worker: v for worker, v in versions.items() if v != __version__}
        if wrong:
            worker, version = sorted(wrong.items())[0]
            raise FanoutError(
                f"the Dask worker {worker} runs capsched {version}, this process {__version__}: "
                "install the same capsched version on every worker"
            )

    def describe(self) -> str:
        if self._address:
            return f"Dask cluster at {self._address}"
        return f"Dask LocalCluster, {self._workers} worker process(es) × 1 thread"

    def close(self) -> None:
        with self._lock:
            client, cluster = self._client, self._cluster
            self._client = self._cluster = None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
