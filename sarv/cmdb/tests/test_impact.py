"""Impact analysis: cycles, diamonds, depth limits, type filters, both directions, paging (SQLite and PostgreSQL)."""

from __future__ import annotations

import itertools

import pytest

from sarv.cmdb.impact import impact

pytestmark = pytest.mark.django_db


@pytest.fixture
def stack(make_ci, relate):
    """switch <- server <- (app1, app2) ; app1, app2 provide svc ; db <- app1 (app1 depends on db)."""
    switch = make_ci("core-switch", "network_device")
    server = make_ci("srv01", "server")
    app1 = make_ci("erp", "application")
    app2 = make_ci("portal", "application")
    db = make_ci("erp-db", "database")
    svc = make_ci("payroll", "business_service")
    relate(server, "connected_to", switch)
    relate(app1, "runs_on", server)
    relate(app2, "runs_on", server)
    relate(app1, "depends_on", db)
    relate(app1, "provides", svc)
    relate(app2, "provides", svc)
    return {"switch": switch, "server": server, "app1": app1, "app2": app2, "db": db, "svc": svc}


def ids(result):
    return [node.ci_id for node in result.nodes]


def test_down_walk_reaches_each_ci_once_with_shortest_paths(stack):
    s = stack
    result = impact(s["switch"], direction="down")
    assert result.total == 4
    assert ids(result) == [s["server"].pk, *sorted([s["app1"].pk, s["app2"].pk]), s["svc"].pk]
    by_id = {node.ci_id: node for node in result.nodes}
    assert by_id[s["app1"].pk].path == [s["switch"].pk, s["server"].pk, s["app1"].pk]
    assert by_id[s["app1"].pk].via == ["connected_to", "runs_on"]
    # The diamond (both applications provide the service) yields the service once, through the smaller id.
    assert by_id[s["svc"].pk].depth == 3
    assert by_id[s["svc"].pk].path[2] == min(s["app1"].pk, s["app2"].pk)
    assert by_id[s["svc"].pk].via[-1] == "provides"
    assert result.cycles == []
    assert not result.truncated


def test_connected_to_propagates_both_ways(stack):
    result = impact(stack["server"], direction="down")
    assert stack["switch"].pk in ids(result)


def test_up_walk_lists_what_a_ci_depends_on(stack):
    s = stack
    result = impact(s["svc"], direction="up")
    assert set(ids(result)) == {s["app1"].pk, s["app2"].pk, s["server"].pk, s["db"].pk, s["switch"].pk}
    by_id = {node.ci_id: node for node in result.nodes}
    assert by_id[s["db"].pk].path == [s["svc"].pk, s["app1"].pk, s["db"].pk]
    assert by_id[s["db"].pk].via == ["provides", "depends_on"]


def test_depth_limit_truncates(stack):
    result = impact(stack["switch"], direction="down", max_depth=1)
    assert ids(result) == [stack["server"].pk]
    assert result.truncated


def test_type_filter(stack):
    s = stack
    result = impact(s["switch"], direction="down", types=["connected_to", "runs_on"])
    assert set(ids(result)) == {s["server"].pk, s["app1"].pk, s["app2"].pk}
    result = impact(s["db"], direction="down", types=["runs_on"])
    assert result.total == 0


def test_paging_keeps_total_and_order(stack):
    first = impact(stack["switch"], direction="down", limit=2)
    second = impact(stack["switch"], direction="down", offset=2, limit=2)
    assert first.total == second.total == 4
    assert ids(first) + ids(second) == ids(impact(stack["switch"], direction="down"))


def test_dependency_cycle_ends_the_walk_and_is_reported(make_ci, relate):
    a = make_ci("billing", "business_service")
    b = make_ci("accounting", "business_service")
    c = make_ci("reports", "business_service")
    relate(a, "depends_on", b)
    relate(b, "depends_on", a)
    relate(c, "depends_on", a)
    result = impact(b, direction="down", max_depth=10)
    # b fails -> a affected -> b (cycle, root) and c affected.
    assert ids(result) == [a.pk, c.pk]
    first = min(a.pk, b.pk)
    assert result.cycles == [[first, max(a.pk, b.pk), first]]
    assert not result.truncated


def test_cycle_entered_from_two_sides_is_reported(make_ci, relate):
    root = make_ci("shared-lib", "application")
    a = make_ci("svc-a", "application")
    b = make_ci("svc-b", "application")
    relate(a, "depends_on", root)
    relate(b, "depends_on", root)
    relate(a, "depends_on", b)
    relate(b, "depends_on", a)
    result = impact(root, direction="down")
    assert sorted(ids(result)) == sorted([a.pk, b.pk])
    low, high = sorted([a.pk, b.pk])
    assert result.cycles == [[low, high, low]]


def test_long_cycle_with_depth_limit_never_loops(make_ci, relate):
    chain = [make_ci(f"app{i}", "application") for i in range(6)]
    for upper, lower in itertools.pairwise(chain):
        relate(upper, "depends_on", lower)
    relate(chain[-1], "depends_on", chain[0])
    result = impact(chain[0], direction="up", max_depth=3)
    assert ids(result) == [c.pk for c in chain[1:4]]
    assert result.truncated
    full = impact(chain[0], direction="up", max_depth=10)
    assert full.total == 5
    assert full.cycles == [[c.pk for c in chain] + [chain[0].pk]]


def test_ended_relationship_leaves_impact(stack, config_manager):
    from sarv.cmdb import actions
    from sarv.cmdb.models import Relationship

    rel = Relationship.objects.get(source=stack["app2"], type="runs_on")
    actions.end_relationship(actor=config_manager, relationship=rel)
    result = impact(stack["server"], direction="down", types=["runs_on"])
    assert ids(result) == [stack["app1"].pk]


def test_connected_to_links_are_no_cycles(make_ci, relate):
    core = make_ci("core", "network_device")
    s1 = make_ci("srv-a", "server")
    s2 = make_ci("srv-b", "server")
    relate(s1, "connected_to", core)
    relate(s2, "connected_to", core)
    relate(s1, "connected_to", s2)
    result = impact(core, direction="down")
    assert ids(result) == sorted([s1.pk, s2.pk])
    # A "connected to" link is walked in both directions; neither it nor a ring of such links is a cycle.
    assert result.cycles == []


def test_cycle_closed_by_a_directed_edge_next_to_connected_to_links(make_ci, relate):
    core = make_ci("core", "network_device")
    server = make_ci("srv", "server")
    a = make_ci("app-a", "application")
    b = make_ci("app-b", "application")
    relate(server, "connected_to", core)
    relate(a, "runs_on", server)
    relate(b, "depends_on", a)
    relate(a, "depends_on", b)
    result = impact(core, direction="down")
    assert ids(result) == [server.pk, a.pk, b.pk]
    assert result.cycles == [[a.pk, b.pk, a.pk]]


def test_postgresql_walk_matches_the_portable_walk(make_ci, relate, monkeypatch):
    """On PostgreSQL the walk carries each depth as arrays; it must give what the portable query gives."""
    import random

    from django.db import connection

    from sarv.cmdb import impact as module

    if connection.vendor != "postgresql":
        pytest.skip("the array walk runs on PostgreSQL only")
    rng = random.Random(7)
    apps = [make_ci(f"app{i:02d}", "application") for i in range(24)]
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < 60:
        a, b = rng.sample(range(len(apps)), 2)
        pairs.add((a, b))
    for a, b in sorted(pairs):
        relate(apps[a], "depends_on", apps[b])

    def run(array_walk, **kwargs):
        monkeypatch.setattr(module, "_array_walk", lambda: array_walk)
        result = impact(**kwargs)
        return (result.total, result.truncated, sorted(result.cycles),
                [(n.ci_id, n.depth, n.path, n.via) for n in result.nodes])

    for root in apps[:6]:
        for direction in ("down", "up"):
            for depth in (1, 2, 4, 8):
                kwargs = {"ci": root, "direction": direction, "max_depth": depth, "limit": 7, "offset": 2}
                assert run(True, **kwargs) == run(False, **kwargs)
