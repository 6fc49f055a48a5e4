"""A project record like the seed's WX-06 (凤凰第二小学, ★, 2022–2025), for tests to vary field by field."""

from __future__ import annotations

from dataclasses import replace

from app.rules.portfolio import ProjectRecord

WX_06 = ProjectRecord(
    code="WX-06",
    name="巫溪县凤凰第二小学建设项目",
    category="义务教育",
    location="凤凰镇",
    nature="新建",
    floor_area_m2=20000.0,
    purchase_area_m2=None,
    land_area_mu=None,
    planned_start=2022,
    planned_end=2025,
    star=True,
    status="规划项目",
    responsible_unit="县教委",
    cost_wan=8000,
    cost_basis="estimate: test",
    spent_wan=0,
    seats_added=None,
    seats_source=None,
)


def record(**changes: object) -> ProjectRecord:
    """WX-06 with the given fields changed."""
    return replace(WX_06, **changes)
