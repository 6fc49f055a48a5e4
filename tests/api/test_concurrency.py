"""Two people at once: one edit wins and the other gets 409; the API keeps answering while solving."""

from __future__ import annotations

import random
import threading
import time

from tests.api.conftest import csv_bytes, flat_budget, project_row, projects_by_code, wait_for_run


def test_two_writers_with_the_same_version_one_wins_one_gets_409(client, finance, make_user, portfolio):
    other = make_user("预算股", "finance")
    t04 = projects_by_code(client, portfolio["id"], finance)["T-04"]
    url = f"/api/projects/{t04['id']}"
    barrier = threading.Barrier(2)
    answers: dict[str, object] = {}

    def write(who: str, headers: dict[str, str], cost: int) -> None:
        barrier.wait()
        answers[who] = client.patch(url, json={"version": 1, "cost_wan": cost}, headers=headers)

    threads = [
        threading.Thread(target=write, args=("a", finance, 2500)),
        threading.Thread(target=write, args=("b", other, 2600)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    codes = sorted(r.status_code for r in answers.values())
    assert codes == [200, 409]
    winner = next(r for r in answers.values() if r.status_code == 200).json()
    loser = next(r for r in answers.values() if r.status_code == 409).json()
    # the winner's cost came with a basis naming who set it (app.services.projects: an honest basis)
    assert "changed since: cost_basis, cost_wan." in loser["detail"]
    stored = client.get(url, headers=finance).json()
    assert (stored["version"], stored["cost_wan"]) == (2, winner["cost_wan"])


def _hard_portfolio(client, finance) -> int:
    """40 projects all wanting to start early under a tight cap: CP-SAT keeps improving for seconds."""
    rnd = random.Random(7)
    rows = []
    for i in range(40):
        start = rnd.choice([2022, 2023, 2024])
        rows.append(
            project_row(
                f"H-{i:02d}",
                planned_start=start,
                planned_end=start + rnd.choice([1, 2, 3]),
                cost_wan=rnd.randint(800, 6000),
                seats_added=rnd.choice(["", 1500, 3000]),
            )
        )
    pid = client.post("/api/portfolios", json={"name": "大项目库"}, headers=finance).json()["id"]
    files = {"file": ("hard.csv", csv_bytes(rows), "text/csv")}
    assert client.post(f"/api/portfolios/{pid}/import", files=files, headers=finance).status_code == 201
    cap = sum(int(r["cost_wan"]) for r in rows) // 9
    body = {"name": "紧", "first_year": 2022, "last_year": 2032, "budget": flat_budget(2022, 2032, cap),
            "star_deadline": None}  # fmt: skip
    return client.post(f"/api/portfolios/{pid}/scenarios", json=body, headers=finance).json()["id"]


def test_reads_are_answered_while_a_solve_runs_and_cancel_stops_it(client, finance, viewer, portfolio):
    sid = _hard_portfolio(client, finance)
    run = client.post(f"/api/scenarios/{sid}/runs", json={"time_limit": 120}, headers=finance).json()
    running = wait_for_run(client, run["id"], finance, {"running", "done", "failed"})
    assert running["status"] == "running"

    for _ in range(20):
        assert client.get("/api/portfolios", headers=viewer).status_code == 200
        assert client.get(f"/api/portfolios/{portfolio['id']}/projects", headers=viewer).status_code == 200
        during = client.get(f"/api/runs/{run['id']}", headers=viewer).json()
        assert during["status"] == "running"
        assert during["progress"]["elapsed"] >= 0
    queued = client.post(f"/api/scenarios/{sid}/runs", json={"time_limit": 120}, headers=finance).json()
    assert client.get(f"/api/runs/{queued['id']}", headers=viewer).json()["status"] == "queued"

    assert client.delete(f"/api/runs/{queued['id']}", headers=finance).json()["status"] == "cancelled"
    assert client.delete(f"/api/runs/{run['id']}", headers=finance).status_code == 202
    stopped = wait_for_run(client, run["id"], finance, {"cancelled", "done", "failed"})
    assert stopped["status"] == "cancelled"
    assert stopped["finished_at"] is not None


def test_progress_reports_the_best_objective_and_bound_while_running(client, finance):
    sid = _hard_portfolio(client, finance)
    run = client.post(f"/api/scenarios/{sid}/runs", json={"time_limit": 120}, headers=finance).json()
    while True:  # the first schedule (the greedy's) comes at once, a bound soon after; the timeout guards
        seen = client.get(f"/api/runs/{run['id']}", headers=finance).json()
        progress = seen["progress"] or {}
        if seen["status"] != "queued" and None not in (progress.get("objective"), progress.get("bound")):
            break
        time.sleep(0.05)
    client.delete(f"/api/runs/{run['id']}", headers=finance)
    assert seen["status"] == "running"
    assert seen["progress"]["bound"] <= seen["progress"]["objective"]
