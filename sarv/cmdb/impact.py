"""Impact analysis: which CIs a failure reaches ("down") and what a CI depends on ("up").

The walk runs in the database over ``ImpactEdge``, the current relationships oriented from the CI that
fails to the CI it affects, breadth first, so each CI is found at its smallest depth (the shortest path):

- On PostgreSQL (``_pg_sql``) one recursive query carries each depth as one row of arrays (the CIs first
  found at that depth, their parents, every CI seen so far), so each CI is expanded once. It returns
  every CI reached with its depth and parent (the smallest id one level closer), and the edges that lead
  back to a CI at the same or a smaller depth.
- Elsewhere (SQLite, ``_sql``) a portable ``WITH RECURSIVE`` walks (CI, depth) pairs; ``UNION`` drops a
  pair already produced, so a CI is expanded at most once per depth. It returns the same CIs and back
  edges; parents are then read for the page and the back edges only (``_parents``, one query per level).

Either way the walk stops one level below ``max_depth``: a CI found only there is not returned and marks
the result ``truncated``, and no cycle can loop. Paths are rebuilt for the requested page only.
Only a back edge can close a cycle (a cycle cannot go deeper at every step). Cycles are the strongly
connected components of the back edges and the shortest-path steps leading to their sources (each
listed as ``[a, b, …, a]``, smallest id first), plus self-loops. A symmetric relationship (connected to)
is walked both ways, so its back edges are never cycles: a ring of "connected to" links is not listed.

NOTE: a cycle that closes only through steps that are not on the chosen shortest paths (a CI with two
parents at the same depth, the cycle going through the larger one) is not listed; the walk still ends
and each CI appears once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Literal

from django.db import connection

from sarv.cmdb.models import CI, ImpactEdge, RelationshipType

Direction = Literal["down", "up"]
MAX_DEPTH_LIMIT = 20
MAX_PAGE = 1000


@dataclass
class ImpactNode:
    ci_id: int
    depth: int
    path: list[int]  # ci ids from the root to this node, root first
    via: list[str] = field(default_factory=list)  # relationship type codes along the path


@dataclass
class ImpactResult:
    root_id: int
    direction: str
    nodes: list[ImpactNode]
    total: int
    cycles: list[list[int]]
    truncated: bool


def _directions(direction: Direction) -> tuple[str, str]:
    # "down" follows cause -> effect; "up" goes back from the effect to its causes.
    return ("cause_id", "effect_id") if direction == "down" else ("effect_id", "cause_id")


def _sql(direction: Direction, type_count: int) -> str:
    """Build the portable walk (SQLite): rows ``(0, ci, depth, NULL, NULL)`` and ``(1, ci, depth, type, other)``."""
    edge = ImpactEdge._meta.db_table
    near, far = _directions(direction)
    type_filter = f" AND e.type_id IN ({', '.join(['%s'] * type_count)})" if type_count else ""
    return f"""
        WITH RECURSIVE walk(ci_id, depth) AS (
            SELECT CAST(%s AS BIGINT), 0
            UNION
            SELECT e.{far}, w.depth + 1
            FROM walk w JOIN {edge} e ON e.{near} = w.ci_id{type_filter}
            WHERE w.depth <= %s
        ),
        reach(ci_id, d, seen) AS MATERIALIZED (SELECT ci_id, MIN(depth), COUNT(*) FROM walk GROUP BY ci_id)
        SELECT 0, r.ci_id, r.d, NULL, NULL FROM reach r
        UNION ALL
        SELECT 1, e.{near}, u.d, e.type_id, e.{far}
        FROM reach v JOIN {edge} e ON e.{far} = v.ci_id{type_filter}
        JOIN reach u ON u.ci_id = e.{near}
        WHERE v.seen > 1 AND v.d <= u.d AND u.d <= %s
    """


def _pg_sql(direction: Direction, filtered: bool) -> str:
    """The PostgreSQL walk: one row per depth, carrying that depth's CIs as arrays, so each CI is expanded once.

    Each step reads the edges of the previous depth's CIs in one pass over the edge index (``= ANY(array)``)
    and groups them by the CI they lead to. A CI not seen before joins the next depth with its parent, the
    smallest id. For a CI already seen, the step keeps the edges that lead back to it, because only they can
    close a cycle. It skips those of symmetric types, which the walk follows back the way it came.
    Parameters: root, root, types (if ``filtered``), symmetric codes, max_depth.
    Rows: ``(0, ci, depth, parent)`` for every CI reached (depth up to max_depth + 1) and
    ``(1, ci, depth, other)`` for each back edge ``ci -> other``.
    """
    edge = ImpactEdge._meta.db_table
    near, far = _directions(direction)
    type_filter = " AND e.type_id = ANY(%s::varchar[])" if filtered else ""
    return f"""
        WITH RECURSIVE walk(depth, ids, parents, seen, back_near, back_far) AS (
            SELECT 0, ARRAY[%s::bigint], ARRAY[NULL::bigint], ARRAY[%s::bigint], NULL::bigint[], NULL::bigint[]
            UNION ALL
            SELECT w.depth + 1, n.ids, n.parents, w.seen || n.ids, n.back_near, n.back_far
            FROM walk w CROSS JOIN LATERAL (
                WITH g AS MATERIALIZED (
                    SELECT e.{far} AS far, MIN(e.{near}) AS parent, s.id IS NOT NULL AS known,
                           array_agg(e.{near}) FILTER (
                               WHERE s.id IS NOT NULL AND e.type_id <> ALL(%s::varchar[])) AS back
                    FROM {edge} e LEFT JOIN unnest(w.seen) s(id) ON s.id = e.{far}
                    WHERE e.{near} = ANY(w.ids){type_filter}
                    GROUP BY e.{far}, s.id
                )
                SELECT f.ids, f.parents, b.back_near, b.back_far
                FROM (SELECT array_agg(far) AS ids, array_agg(parent) AS parents FROM g WHERE NOT known) f,
                     (SELECT array_agg(back_near) AS back_near, array_agg(g.far) AS back_far
                      FROM g CROSS JOIN LATERAL unnest(g.back) back_near WHERE g.known) b
            ) n
            WHERE w.depth <= %s AND w.ids IS NOT NULL
        )
        SELECT 0, r.id, w.depth, r.parent FROM walk w, unnest(w.ids, w.parents) r(id, parent) WHERE w.depth > 0
        UNION ALL
        SELECT 1, b.near, w.depth - 1, b.far FROM walk w, unnest(w.back_near, w.back_far) b(near, far)
    """


def _array_walk() -> bool:
    """Return whether the database runs ``_pg_sql`` (PostgreSQL); others run the portable ``_sql``."""
    return connection.vendor == "postgresql"


def impact(
    ci: CI | int, *, direction: Direction = "down", types: Collection[str] | None = None, max_depth: int = 5,
    offset: int = 0, limit: int = 200,
) -> ImpactResult:
    """Walk the relationships from ``ci``; return one page of the CIs reached, each once, with its path.

    ``types`` limits the walk to those relationship type codes (None or empty: all types).
    Nodes are ordered by depth, then id. ``total`` counts every CI reached within ``max_depth``.
    """
    if direction not in ("down", "up"):
        raise ValueError(direction)
    root_id = ci if isinstance(ci, int) else ci.pk
    max_depth = max(1, min(int(max_depth), MAX_DEPTH_LIMIT))
    limit = max(1, min(int(limit), MAX_PAGE))
    offset = max(0, int(offset))
    type_list = sorted(set(types or ()))
    symmetric = sorted(RelationshipType.objects.filter(is_symmetric=True).values_list("code", flat=True))
    depth: dict[int, int] = {}
    parent: dict[int, int] | None = None
    back_edges: list[tuple[int, int]] = []
    with connection.cursor() as cursor:
        if _array_walk():
            parent = {}
            cursor.execute(_pg_sql(direction, bool(type_list)),
                           [root_id, root_id, symmetric, *([type_list] if type_list else []), max_depth])
            for kind, node, d, other in cursor.fetchall():
                if kind == 0:
                    depth[node] = d
                    parent[node] = other
                else:
                    back_edges.append((node, other))
        else:
            cursor.execute(_sql(direction, len(type_list)), [root_id, *type_list, max_depth, *type_list, max_depth])
            for kind, node, d, type_code, other in cursor.fetchall():
                if kind == 0:
                    depth[node] = d
                elif type_code not in symmetric:
                    back_edges.append((node, other))
    depth[root_id] = 0
    truncated = any(d > max_depth for d in depth.values())
    ordered = sorted((d, node) for node, d in depth.items() if 0 < d <= max_depth)
    total = len(ordered)
    page = ordered[offset:offset + limit]
    sources = [node for node, _other in back_edges]
    if parent is None:
        # Parents on a shortest path, only for the page, the sources of back edges and their ancestors.
        step = _parents({node for _d, node in page} | set(sources), depth, direction, type_list)
        parent = {node: up for node, (up, _code) in step.items()}
    else:
        # The walk gave every parent; the relationship types are read only for the steps the page shows.
        step = _step_types(_ancestry(parent, [node for _d, node in page]), direction, type_list)
    nodes = []
    for d, node in page:
        path = _path(node, step, root_id)
        nodes.append(ImpactNode(ci_id=node, depth=d, path=path, via=[step[n][1] for n in path[1:] if n in step]))
    cycles = _cycles(_ancestry(parent, sources), back_edges, depth, max_depth)
    return ImpactResult(root_id=root_id, direction=direction, nodes=nodes, total=total, cycles=cycles,
                        truncated=truncated)


def _ancestry(parent: dict[int, int], nodes: list[int]) -> dict[int, int]:
    """Return the part of ``parent`` on the shortest paths to ``nodes``."""
    kept: dict[int, int] = {}
    for node in nodes:
        while node in parent and node not in kept:
            kept[node] = parent[node]
            node = parent[node]
    return kept


def _step_types(parent: dict[int, int], direction: Direction, types: list[str]) -> dict[int, tuple[int, str]]:
    """Add to each step of ``parent`` its relationship type (the first code in order when there are several)."""
    step: dict[int, tuple[int, str]] = {}
    for a, b, code in _edges_into(set(parent), direction, types):
        if parent[b] == a and (b not in step or code < step[b][1]):
            step[b] = (a, code)
    return step


def _edges_into(nodes: set[int], direction: Direction, types: list[str]) -> Iterator[tuple[int, int, str]]:
    """Yield ``(near, far, type code)`` for the walk's edges that lead to ``nodes``, in chunks of 900 ids."""
    near, far = _directions(direction)
    ordered = sorted(nodes)
    for start in range(0, len(ordered), 900):
        queryset = ImpactEdge.objects.filter(**{f"{far}__in": ordered[start:start + 900]})
        if types:
            queryset = queryset.filter(type_id__in=types)
        yield from queryset.values_list(near, far, "type_id")


def _path(node: int, step: dict[int, tuple[int, str]], root_id: int) -> list[int]:
    path = [node]
    while path[-1] != root_id and path[-1] in step and len(path) <= MAX_DEPTH_LIMIT + 2:
        path.append(step[path[-1]][0])
    path.reverse()
    return path


def _parents(
    targets: set[int], depth: dict[int, int], direction: Direction, types: list[str],
) -> dict[int, tuple[int, str]]:
    """For each target and its ancestors: (parent, type code) on a shortest path from the root.

    The parent is the smallest id among the CIs one level closer with an edge to the node, and the
    type the first code in order among those edges. One query per level (in chunks), never per node.
    """
    step: dict[int, tuple[int, str]] = {}
    frontier = {node for node in targets if depth.get(node, 0) > 0}
    while frontier:
        found: dict[int, tuple[int, str]] = {}
        for a, b, code in _edges_into(frontier, direction, types):
            if depth.get(a) == depth[b] - 1 and (b not in found or (a, code) < found[b]):
                found[b] = (a, code)
        step.update(found)
        frontier = {parent for parent, _code in found.values() if depth.get(parent, 0) > 0 and parent not in step}
    return step


def _cycles(
    parent: dict[int, int], back_edges: list[tuple[int, int]], depth: dict[int, int], max_depth: int,
) -> list[list[int]]:
    """Cycles among the reached CIs: strongly connected components of the shortest-path steps to the sources
    of the edges that lead back to a CI at the same or a smaller depth (only those can close a cycle) plus
    those edges."""
    graph: dict[int, set[int]] = {}
    for child, up in parent.items():
        if depth.get(child, 0) <= max_depth:
            graph.setdefault(up, set()).add(child)
    self_loops = []
    for a, b in back_edges:
        if a == b:
            self_loops.append([a, a])
        else:
            graph.setdefault(a, set()).add(b)
    cycles = [_cycle_in(component, graph) for component in _strongly_connected(graph) if len(component) > 1]
    return sorted(self_loops + cycles)


def _strongly_connected(graph: dict[int, set[int]]) -> list[list[int]]:
    """Tarjan's algorithm, iterative (the graph may be deep)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    result: list[list[int]] = []
    counter = 0
    for start in list(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(component)
    return result


def _cycle_in(component: list[int], graph: dict[int, set[int]]) -> list[int]:
    """One cycle through the smallest id of a strongly connected component, as [a, …, a]."""
    members = set(component)
    start = min(component)
    # Breadth-first search inside the component back to the start gives a shortest cycle.
    previous: dict[int, int] = {}
    frontier = [start]
    seen = {start}
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph.get(node, ())):
                if child not in members:
                    continue
                if child == start:
                    cycle = [start]
                    step = node
                    while step != start:
                        cycle.append(step)
                        step = previous[step]
                    cycle.append(start)
                    return [start, *reversed(cycle[1:-1]), start]
                if child not in seen:
                    seen.add(child)
                    previous[child] = node
                    following.append(child)
        frontier = following
    return [start, start]
