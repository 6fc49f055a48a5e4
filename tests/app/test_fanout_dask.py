"""A Dask batch stopped with thousands of tasks still queued: every future is cancelled, the scheduler drops
the batch's tasks, the running ones are told to stop, and the next batch on the same cluster runs at once."""

from __future__ import annotations

import threading
import time

from app.fanout import DaskFanout

QUEUED = 2000


def wait_for_stop(log: str, *, stop: threading.Event) -> None:
    """A task that runs until its batch is stopped (at most 60 s) and writes down which ended it."""
    with open(log, "a", encoding="utf-8") as out:
        out.write("started\n")
    ended = "stopped" if stop.wait(60) else "timed out"
    with open(log, "a", encoding="utf-8") as out:
        out.write(ended + "\n")


def answer(value: int, *, stop: threading.Event) -> int:
    if not isinstance(value, int):
        raise TypeError(f"not a number: {value!r}")
    return value * 2


def batch_tasks(dask_scheduler) -> list[str]:  # runs on the scheduler
    return [str(key) for key in dask_scheduler.tasks if "run_task" in str(key)]


def test_a_stopped_batch_cancels_every_queued_task_and_frees_the_cluster(tmp_path) -> None:
    log = tmp_path / "tasks.log"
    stop = threading.Event()
    with DaskFanout(workers=1) as fanout:
        with fanout.batch(stop) as batch:
            futures = batch.map(wait_for_stop, [(str(log),)] * QUEUED)  # as a risk batch submits samples
            deadline = time.monotonic() + 60
            while not log.exists() and time.monotonic() < deadline:  # one task runs, the rest are queued
                time.sleep(0.05)
            stop.set()
            batch.cancel_pending()
            assert all(future.cancelled() for future in futures)
        deadline = time.monotonic() + 60
        while fanout.client.run_on_scheduler(batch_tasks) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert fanout.client.run_on_scheduler(batch_tasks) == []
        deadline = time.monotonic() + 90
        while (
            log.read_text().count("started") > log.read_text().count("stopped")
            and time.monotonic() < deadline
        ):
            time.sleep(0.1)
        ended = log.read_text().split()
        # the running task heard the stop, and so did any the worker had already taken when the cancel came;
        # none timed out, and the queue did not run
        assert "timed out" not in ended and ended.count("started") == ended.count("stopped") < 10
        with fanout.batch() as after:
            assert [f.result(timeout=60) for f in [after.submit(answer, k) for k in range(3)]] == [0, 2, 4]
            assert [f.result(timeout=60) for f in after.map(answer, [(k,) for k in range(3)])] == [0, 2, 4]
            (failed,) = after.map(answer, [("x",)])
            assert isinstance(failed.exception(timeout=60), TypeError)  # the task's own error comes back
