#!/usr/bin/env python3
"""Generate a seeded benchmark data set: users, groups, departments, categories, services and incidents with timelines.

    DATABASE_URL=postgres://postgres@127.0.0.1/sarv_bench SARV_SECRET_KEY=bench \\
        .venv/bin/python bench/generate.py --incidents 100000 --seed 42

The distributions (bench/distributions.py) follow the UCI ServiceNow event log: about 5.7
events per incident, more than half never reassigned (each reassignment is a timeline row),
one support group taking about 38% of the work, and impact and urgency mostly "medium".
Unlike that closed historical log, about 15% of the generated incidents are still open, as
on a live service desk. Text is Persian, English or Persian with English product names
(bench/textgen.py). Rows are written with bulk_create in batches; record numbers come from
the same allocator as real incidents. Into an empty table, the secondary indexes of incidents
and timeline rows are dropped first and built again at the end, which is several times
faster than keeping them up to date row by row (1,000,000 incidents: see bench/README.md).
Audit rows and notifications are not generated: they describe changes made by people,
and the benchmarks measure reads of the resulting data.

``--agreements`` adds the benchmark's SLA (first response and per-priority resolution targets, for
every incident) and an OLA for the busiest support group, an administrator who may change calendars,
and fills the clock cache of every open incident, as ``manage.py recompute_clocks`` does after an
import. ``--cis N`` adds a CMDB of N CIs with five relationships each (bench/cmdb_generate.py).
Both also extend a database that already holds its incidents (``--incidents 0``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sarv.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.dataset import ADMIN, AGREEMENT_PREFIX, BENCH_PASSWORD  # noqa: E402
from bench.distributions import (  # noqa: E402
    AGENTS,
    GROUPS,
    LEVEL_WEIGHTS,
    REASSIGNMENT_WEIGHTS,
    REPLY_COUNTS,
    REQUESTERS,
    SIGN_IN_REQUESTERS,
    STATUS_WEIGHTS,
    pick_group_index,
    weighted,
)
from bench.textgen import TextGenerator  # noqa: E402
from sarv.accounts.models import Department, SupportGroup, SupportGroupMembership, User  # noqa: E402
from sarv.core.choices import DEFAULT_PRIORITY_MATRIX, TimelineKind  # noqa: E402
from sarv.core.jalali import jalali_year  # noqa: E402
from sarv.core.models import Category, TimelineEntry  # noqa: E402
from sarv.core.numbering import allocate_numbers  # noqa: E402
from sarv.incidents.choices import Channel, HoldReason, IncidentStatus  # noqa: E402
from sarv.incidents.models import Incident, ResolutionCode  # noqa: E402
from sarv.services.models import Service  # noqa: E402


def ensure_organisation(rng: random.Random, text: TextGenerator, groups: int, agents: int, requesters: int) -> dict:
    """Create the bench organisation once; a second run reuses it."""
    if SupportGroup.objects.filter(code__startswith="bench-").count() >= groups:
        return load_organisation()
    departments = [Department.objects.create(name_fa=f"واحد {i}", name_en=f"Department {i}", code=f"bench-{i}")
                   for i in range(1, 16)]
    support_groups = [SupportGroup.objects.create(name_fa=f"گروه پشتیبانی {i}", name_en=f"Support group {i}",
                                                  code=f"bench-{i}") for i in range(1, groups + 1)]
    agent_role = Group.objects.get(name="agent")
    requester_role = Group.objects.get(name="requester")
    agent_users = []
    for i in range(1, agents + 1):
        first, last = text.person()
        user = User.objects.create_user(f"bench-agent-{i}", password=BENCH_PASSWORD, first_name=first,
                                        last_name=last, email=f"bench-agent-{i}@bench.invalid")
        user.groups.add(agent_role)
        agent_users.append(user)
    for index, user in enumerate(agent_users):
        SupportGroupMembership.objects.create(group=support_groups[index % groups], user=user)
    requester_users = []
    for i in range(1, requesters + 1):
        first, last = text.person()
        requester_users.append(User(username=f"bench-user-{i}", first_name=first, last_name=last,
                                    email=f"bench-user-{i}@bench.invalid", department=rng.choice(departments),
                                    password=""))
    for user in requester_users:
        user.search_key = f"{user.first_name} {user.last_name} {user.username}"
    User.objects.bulk_create(requester_users, batch_size=1000)
    # The first requesters can sign in: the load run checks that each sees only their own records.
    for user in User.objects.filter(username__in=[f"bench-user-{i}" for i in range(1, SIGN_IN_REQUESTERS + 1)]):
        user.set_password(BENCH_PASSWORD)
        user.save(update_fields=["password"])
    requester_ids = list(User.objects.filter(username__startswith="bench-user-").values_list("pk", flat=True))
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=pk, group_id=requester_role.pk) for pk in requester_ids], batch_size=2000
    )
    for i in range(1, 11):
        parent = Category.objects.create(name_fa=f"دسته {i}", name_en=f"Category {i}", code=f"bench-{i}")
        for j in range(1, 6):
            Category.objects.create(name_fa=f"زیردسته {i}-{j}", name_en=f"Subcategory {i}-{j}",
                                    code=f"bench-{i}-{j}", parent=parent)
    for i in range(1, 21):
        Service.objects.create(name_fa=f"خدمت {i}", name_en=f"Service {i}", code=f"bench-{i}",
                               owner_group=support_groups[i % groups])
    return load_organisation()


def load_organisation() -> dict:
    groups = list(SupportGroup.objects.filter(code__startswith="bench-").order_by("pk"))
    members: dict[int, list[int]] = defaultdict(list)
    for group_id, user_id in SupportGroupMembership.objects.filter(group__in=groups).values_list("group_id",
                                                                                                  "user_id"):
        members[group_id].append(user_id)
    requesters = list(User.objects.filter(username__startswith="bench-user-").values_list("pk", "department_id"))
    categories = defaultdict(list)
    for pk, parent_id in Category.objects.filter(code__startswith="bench-", parent__isnull=False).values_list(
            "pk", "parent_id"):
        categories[parent_id].append(pk)
    return {
        "groups": groups,
        "members": members,
        "requesters": requesters,
        "categories": dict(categories),
        "services": list(Service.objects.filter(code__startswith="bench-").values_list("pk", flat=True)),
        "resolution_codes": list(ResolutionCode.objects.values_list("pk", flat=True)),
    }


def pick_group(rng: random.Random, groups: list[SupportGroup]) -> SupportGroup:
    return groups[pick_group_index(rng, len(groups))]


OPEN_STATUS_WEIGHTS = {status: weight for status, weight in STATUS_WEIGHTS.items()
                       if status in (IncidentStatus.NEW, IncidentStatus.ASSIGNED, IncidentStatus.IN_PROGRESS,
                                     IncidentStatus.ON_HOLD)}


def generate(count: int, seed: int, batch_size: int, span_days: int, open_only: bool = False) -> None:
    rng = random.Random(seed)
    text = TextGenerator(rng)
    org = ensure_organisation(rng, text, groups=GROUPS, agents=AGENTS, requesters=REQUESTERS)
    content_type = ContentType.objects.get_for_model(Incident)
    deferred = defer_indexes() if not Incident.objects.exists() else []
    now = timezone.now()
    start = now - dt.timedelta(days=span_days)
    started = time.monotonic()
    made = 0
    while made < count:
        size = min(batch_size, count - made)
        moments = sorted(start + dt.timedelta(seconds=rng.uniform(0, span_days * 86400)) for _ in range(size))
        incidents = [build_incident(rng, text, org, moment, now, open_only) for moment in moments]
        with transaction.atomic():
            by_year: dict[int, list[Incident]] = defaultdict(list)
            for incident in incidents:
                by_year[jalali_year(incident.created_at)].append(incident)
            for year, members in by_year.items():
                for incident, number in zip(members, allocate_numbers("INC", year, len(members)), strict=True):
                    incident.number = number
                    incident.search_key = incident.build_search_key()
            Incident.objects.bulk_create(incidents, batch_size=1000)
            entries = [entry for incident in incidents for entry in build_timeline(rng, text, incident,
                                                                                     content_type, org)]
            TimelineEntry.objects.bulk_create(entries, batch_size=2000)
        made += size
        rate = made / max(time.monotonic() - started, 0.001)
        sys.stderr.write(f"\r{made:,}/{count:,} incidents ({rate:,.0f}/s)")
    sys.stderr.write("\n")
    rebuild_indexes(deferred)


def defer_indexes() -> list[tuple[type, models.Index]]:
    """Drop the declared indexes of the incident and timeline tables, to be built again after the load."""
    dropped = []
    with connection.schema_editor() as editor:
        for model in (Incident, TimelineEntry):
            for index in model._meta.indexes:
                editor.remove_index(model, index)
                dropped.append((model, index))
    return dropped


def rebuild_indexes(dropped: list[tuple[type, models.Index]]) -> None:
    started = time.monotonic()
    with connection.schema_editor() as editor:
        for model, index in dropped:
            editor.add_index(model, index)
    if dropped:
        sys.stderr.write(f"built {len(dropped)} indexes again in {time.monotonic() - started:.1f} s\n")


def build_incident(rng: random.Random, text: TextGenerator, org: dict, created: dt.datetime,
                   now: dt.datetime, open_only: bool = False) -> Incident:
    title, body = text.title_and_body()
    status = weighted(rng, OPEN_STATUS_WEIGHTS if open_only else STATUS_WEIGHTS)
    impact, urgency = weighted(rng, LEVEL_WEIGHTS), weighted(rng, LEVEL_WEIGHTS)
    requester_id, department_id = rng.choice(org["requesters"])
    group = None if status == IncidentStatus.NEW else pick_group(rng, org["groups"])
    members = org["members"].get(group.pk, []) if group else []
    # Assigned incidents wait in the group queue half of the time; worked ones always have an agent.
    has_agent = bool(members) and (status != IncidentStatus.ASSIGNED or rng.random() < 0.5)
    assignee_id = rng.choice(members) if has_agent else None
    category_id = rng.choice(list(org["categories"]))
    resolved = status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)
    resolved_at = min(created + dt.timedelta(hours=rng.expovariate(1 / 20)), now) if resolved else None
    closed_at = None
    if status == IncidentStatus.CLOSED and resolved_at is not None:
        closed_at = min(resolved_at + dt.timedelta(days=rng.uniform(0.5, 3)), now)
    if status == IncidentStatus.CANCELLED:
        closed_at = min(created + dt.timedelta(hours=rng.uniform(1, 48)), now)
    return Incident(
        title=title, description=body, status=status,
        hold_reason=rng.choice(list(HoldReason.values)) if status == IncidentStatus.ON_HOLD else "",
        requester_id=requester_id, department_id=department_id, assigned_group=group, assignee_id=assignee_id,
        reassignment_count=weighted(rng, REASSIGNMENT_WEIGHTS) if group else 0,
        impact=impact, urgency=urgency, priority=DEFAULT_PRIORITY_MATRIX[(impact, urgency)],
        channel=rng.choices([Channel.PHONE, Channel.PORTAL, Channel.EMAIL], weights=[70, 20, 10])[0],
        category_id=category_id, subcategory_id=rng.choice(org["categories"][category_id]),
        service_id=rng.choice(org["services"]),
        created_at=created, updated_at=closed_at or resolved_at or created,
        resolved_at=resolved_at, closed_at=closed_at,
        resolution_code_id=rng.choice(org["resolution_codes"]) if resolved else None,
        resolution_notes="رفع شد" if resolved else "",
    )


def build_timeline(rng: random.Random, text: TextGenerator, incident: Incident, content_type: ContentType,
                   org: dict) -> list[TimelineEntry]:
    def entry(kind: str, moment: dt.datetime, **values: object) -> TimelineEntry:
        return TimelineEntry(content_type=content_type, object_id=incident.pk, kind=kind, created_at=moment,
                             is_internal=kind in (TimelineKind.WORK_NOTE, TimelineKind.ASSIGNED), **values)

    moment = incident.created_at
    rows = [entry(TimelineKind.CREATED, moment, actor_id=incident.requester_id, body=incident.description,
                  data={"changes": [{"field": "status", "old": None, "new": "new"}]})]
    if incident.assigned_group_id:
        # The first assignment, then one row per reassignment, the last one to the current group.
        groups = [rng.choice(org["groups"]).pk for _ in range(incident.reassignment_count)]
        groups.append(incident.assigned_group_id)
        previous = None
        for group_id in groups:
            moment += dt.timedelta(minutes=rng.uniform(1, 60) if previous is None else rng.expovariate(1 / 180))
            rows.append(entry(TimelineKind.ASSIGNED, moment, data={"changes": [
                {"field": "assigned_group", "old": previous, "new": group_id}]}))
            previous = group_id
    persian = any("\u0600" <= ch <= "\u06ff" for ch in incident.title)
    for _ in range(rng.choice(REPLY_COUNTS)):
        moment += dt.timedelta(minutes=rng.uniform(5, 240))
        kind = TimelineKind.PUBLIC_REPLY if rng.random() < 0.7 else TimelineKind.WORK_NOTE
        rows.append(entry(kind, moment, actor_id=incident.assignee_id or incident.requester_id,
                          body=text.reply(persian)))
    if incident.status != IncidentStatus.NEW:
        rows.append(entry(TimelineKind.STATUS_CHANGED, incident.updated_at, data={"changes": [
            {"field": "status", "old": "new", "new": incident.status}]}))
    return rows


def ensure_agreements() -> list[str]:
    """Create the benchmark's SLA and OLA once; return the names of the benchmark agreements."""
    from sarv.sla.models import Agreement, AgreementTarget

    hour = 3600
    if not Agreement.objects.filter(name_en__startswith=AGREEMENT_PREFIX).exists():
        sla = Agreement.objects.create(name_fa="توافق‌نامه آزمون کارایی", name_en="Bench SLA", kind="sla")
        AgreementTarget.objects.create(agreement=sla, metric="first_response", priority=None, seconds=4 * hour)
        for priority, hours in ((1, 4), (2, 8), (3, 24), (4, 40), (5, 80)):
            AgreementTarget.objects.create(agreement=sla, metric="resolution", priority=priority,
                                           seconds=hours * hour)
        busiest = SupportGroup.objects.filter(code="bench-1").first()
        if busiest is not None:
            ola = Agreement.objects.create(name_fa="توافق‌نامه عملیاتی آزمون", name_en="Bench OLA", kind="ola",
                                           ola_group=busiest)
            AgreementTarget.objects.create(agreement=ola, metric="resolution", priority=None, seconds=16 * hour)
    return list(Agreement.objects.filter(name_en__startswith=AGREEMENT_PREFIX).values_list("name_en", flat=True))


def ensure_admin() -> User:
    """The administrator the benchmarks change calendars as (password ``BENCH_PASSWORD``)."""
    user = User.objects.filter(username=ADMIN).first()
    if user is None:
        user = User.objects.create_superuser(ADMIN, email=f"{ADMIN}@bench.invalid", password=BENCH_PASSWORD)
    return user


def add_agreements() -> None:
    from sarv.sla.recompute import recompute_open

    started = time.monotonic()
    names = ensure_agreements()
    ensure_admin()
    recompute_open(None)
    sys.stderr.write(f"agreements {', '.join(names)}; clocks of the open incidents filled in "
                     f"{time.monotonic() - started:.1f} s\n")


def add_cmdb(cis: int, seed: int) -> None:
    from bench.cmdb_generate import generate as generate_cmdb
    from sarv.cmdb.models import CI

    if CI.objects.exists():
        sys.stderr.write("the CMDB already contains CIs; left unchanged\n")
        return
    started = time.monotonic()
    made = generate_cmdb(seed=seed, scale=cis / 100_000)
    sys.stderr.write(f"{made.cis:,} CIs, {made.relationships:,} relationships in {time.monotonic() - started:.1f} s\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=100_000, help="how many incidents to add (default 100000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--batch-size", type=int, default=5000, help="incidents per transaction (default 5000)")
    parser.add_argument("--span-days", type=int, default=730, help="creation dates spread over this many days")
    parser.add_argument("--open-only", action="store_true",
                        help="only open incidents (new, assigned, in progress, on hold), for the SLA recompute "
                             "benchmark")
    parser.add_argument("--agreements", action="store_true",
                        help="add the benchmark SLA and OLA and an administrator, and fill the open incidents' clocks")
    parser.add_argument("--cis", type=int, default=0, help="add a CMDB of this many CIs (default none)")
    args = parser.parse_args()
    started = time.monotonic()
    generate(args.incidents, args.seed, args.batch_size, args.span_days, args.open_only)
    if args.agreements:
        add_agreements()
    if args.cis:
        add_cmdb(args.cis, args.seed)
    sys.stdout.write(f"generated {args.incidents:,} incidents in {time.monotonic() - started:.1f} s\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
