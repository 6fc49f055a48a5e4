"""Risk batches on real Dask clusters (LocalCluster worker processes): the same figures with one worker, two
workers or threads here, and a worker killed mid-batch costs time, not the job, nor a figure."""

from __future__ import annotations

import os
import signal
import threading

from app.fanout import DaskFanout, LocalThreads
from app.rules.overruns import Assumptions, Overrun, ProjectOverruns
from app.rules.risk import RiskProgress, analyse
from tests.app.test_risk import CATEGORIES, STARS, small_portfolio, without_timing

OVERRUN = Overrun.from_share_mean(0.75, 0.25)


def figures_on(fanout, *, samples: int, progress=None) -> dict:
    problem = small_portfolio()
    overruns = ProjectOverruns.compile(problem, Assumptions(OVERRUN), CATEGORIES)
    result = analyse(
        problem,
        overruns=overruns,
        samples=samples,
        seed=17,
        stars=STARS,
        confidence=0.8,
        work_limit=2.0,
        fanout=fanout,
        progress=progress,
    )
    assert not result.cancelled
    return without_timing(result.figures())


def test_one_dask_worker_two_dask_workers_and_threads_give_the_same_figures() -> None:
    with DaskFanout(workers=1) as one:
        on_one = figures_on(one, samples=12)
        assert one.cores == 1
    with DaskFanout(workers=2) as two:
        on_two = figures_on(two, samples=12)
        assert two.cores == 2
    here = figures_on(LocalThreads(2), samples=12)
    assert on_one == on_two == here
    assert on_one["reproducible"] is True
    assert on_one["budget"]["outcome"] == "found"


def test_a_worker_killed_mid_batch_leaves_the_figures_unchanged() -> None:
    killed: list[tuple[int, int]] = []  # (pid, samples done when it was killed)
    lock = threading.Lock()
    with DaskFanout(workers=2) as fanout:
        pids = sorted(fanout.client.run(os.getpid).values())
        assert len(pids) == 2

        def kill_one(progress: RiskProgress) -> None:
            with lock:
                if progress.phase == "samples" and progress.done >= 1 and not killed:
                    os.kill(pids[0], signal.SIGKILL)  # the process, as an out-of-memory killer would
                    killed.append((pids[0], progress.done))

        survived = figures_on(fanout, samples=40, progress=kill_one)
        after = sorted(fanout.client.run(os.getpid).values())
    assert killed and killed[0][1] < 40  # killed while samples were still to come
    assert killed[0][0] not in after  # the nanny started a new worker process in its place
    assert survived == figures_on(LocalThreads(2), samples=40)
