"""A seeded, generated CMDB for the impact-analysis benchmark: 100,000 CIs and 500,000 relationships.

Layers (failure travels downward, so the downstream impact of a core switch is deep):

    L0 core switches ── connected to ── L1 access switches ── connected to ── L2 servers
    L3 databases/middleware/applications run on L2 servers
    L4 applications depend on L3 (several each: shared parents, diamonds)
    L5 technical services are provided by L4 applications
    L6 business services depend on L5 technical services (from every partition)

Every CI of L1–L5 belongs to one of ten partitions (the core switch it hangs from); partition 0
holds about a fifth of them, so core switch 0 has about 20,000 dependants, at depths up to 6.
Some business services depend on each other in pairs, and some applications too: dependency
cycles the walk must report and survive.

Rows are inserted in bulk (this is benchmark data, not a user's change: no audit or timeline rows).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

PARTITIONS = 10
LAYERS = [  # (level, count, class code, relationship type to the level below, parents per CI)
    (0, 10, "network_device", None, 0),
    (1, 200, "network_device", "connected_to", 1),
    (2, 10_000, "server", "connected_to", 2),
    (3, 30_000, "database", "runs_on", 2),
    (4, 40_000, "application", "depends_on", 5),
    (5, 15_000, "technical_service", "provides", 8),
    (6, 4_790, "business_service", "depends_on", 20),
]


@dataclass
class Generated:
    cis: int
    relationships: int
    impact_edges: int
    core_switch_id: int
    cycles: int


def _partition(rng: random.Random) -> int:
    # Partition 0 takes about 21% of the CIs, the other nine share the rest.
    return 0 if rng.random() < 0.21 else rng.randint(1, PARTITIONS - 1)


def generate(*, seed: int = 42, scale: float = 1.0, target_relationships: int = 500_000) -> Generated:
    """Fill an empty CMDB (the shipped classes must exist); return what was made."""
    from django.utils import timezone

    from sarv.cmdb.choices import Propagation
    from sarv.cmdb.models import CI, CIClass, ImpactEdge, Relationship, RelationshipType

    rng = random.Random(seed)
    if CI.objects.exists():
        raise RuntimeError("generate() needs an empty CMDB")
    classes = dict(CIClass.objects.values_list("code", "pk"))
    propagation = dict(RelationshipType.objects.values_list("code", "propagation"))
    now = timezone.now()
    levels: dict[int, list[tuple[int, int]]] = {}  # level -> [(ci id, partition)]
    with transaction.atomic():
        next_id = 1
        for level, count, class_code, _type, _parents in LAYERS:
            count = max(PARTITIONS if level == 0 else 1, int(count * scale))
            rows = []
            members = []
            for index in range(count):
                part = index % PARTITIONS if level == 0 else _partition(rng)
                name = f"L{level}-{class_code}-{index:05d}"
                rows.append(CI(id=next_id, name_en=name, ci_class_id=classes[class_code], created_at=now,
                               updated_at=now, search_key=name.lower(), criticality=rng.randint(1, 4)))
                members.append((next_id, part))
                next_id += 1
            CI.objects.bulk_create(rows, batch_size=5000)
            levels[level] = members
        by_part = {level: {p: [ci for ci, part in members if part == p] for p in range(PARTITIONS)}
                   for level, members in levels.items()}
        edges: set[tuple[int, str, int]] = set()

        def parent_pool(level: int, part: int) -> list[int]:
            pool = by_part[level - 1][part]
            return pool or [ci for ci, _p in levels[level - 1]]

        for level, _count, _class, type_code, parents in LAYERS[1:]:
            for ci, part in levels[level]:
                for _ in range(parents):
                    # Business services use technical services of every partition; the rest stay in theirs.
                    pool = [c for c, _p in levels[level - 1]] if level == 6 else parent_pool(level, part)
                    other = rng.choice(pool)
                    if type_code == "provides":
                        edges.add((other, type_code, ci))  # the application provides the technical service
                    else:
                        edges.add((ci, type_code, other))
        cycles = 0
        for level, type_code in ((6, "depends_on"), (4, "depends_on")):
            members = [ci for ci, _p in levels[level]]
            for _ in range(max(1, int(100 * scale))):
                a, b = rng.sample(members, 2)
                if (a, type_code, b) not in edges and (b, type_code, a) not in edges:
                    edges.add((a, type_code, b))
                    edges.add((b, type_code, a))
                    cycles += 1
        target = int(target_relationships * scale)
        l3 = levels[3]
        while len(edges) < target:
            ci, part = rng.choice(levels[4])
            edges.add((ci, "depends_on", rng.choice(parent_pool(4, part)) if rng.random() < 0.9 else
                       rng.choice(l3)[0]))  # type: ignore[arg-type]
        relationships = [Relationship(id=i, source_id=s, type_id=t, target_id=d, valid_from=now)
                         for i, (s, t, d) in enumerate(sorted(edges), start=1)]
        Relationship.objects.bulk_create(relationships, batch_size=10_000)
        impact_rows: list[Any] = []
        for rel in relationships:
            flow = propagation[rel.type_id]
            if flow in (Propagation.TO_SOURCE, Propagation.BOTH):
                impact_rows.append(ImpactEdge(cause_id=rel.target_id, effect_id=rel.source_id, type_id=rel.type_id,
                                              relationship_id=rel.id))
            if flow in (Propagation.TO_TARGET, Propagation.BOTH):
                impact_rows.append(ImpactEdge(cause_id=rel.source_id, effect_id=rel.target_id, type_id=rel.type_id,
                                              relationship_id=rel.id))
        ImpactEdge.objects.bulk_create(impact_rows, batch_size=10_000)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in ("cmdb_ci", "cmdb_relationship", "cmdb_impactedge"):
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT MAX(id) FROM {table}))")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # VACUUM sets the visibility map, so the walk reads the edge indexes without visiting the table.
            cursor.execute("VACUUM (ANALYZE) cmdb_ci, cmdb_relationship, cmdb_impactedge")
    return Generated(cis=next_id - 1, relationships=len(relationships), impact_edges=len(impact_rows),
                     core_switch_id=levels[0][0][0], cycles=cycles)
