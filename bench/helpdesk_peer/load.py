#!/usr/bin/env python3
"""Fill the django-helpdesk peer with the same generated service desk as Sarv's benchmark database.

Run with the peer's own Python from bench/helpdesk_peer (bench/helpdesk_peer.py does this):

    HDPEER_SECRET_KEY=x ../../var/bench/helpdesk-venv/bin/python load.py --tickets 100000 --seed 42

Same seed, same text generator (bench/textgen.py) and same distributions
(bench/distributions.py) as bench/generate.py: 20 support groups become 20 queues, 50
agents are staff users, 2,000 requesters are users whose e-mail address is the tickets'
submitter address (which is how django-helpdesk finds "my tickets"), and each timeline row
of a generated incident becomes a follow-up. Rows are written with django-helpdesk's own
models (bulk_create), back-dated like Sarv's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent.parent))  # the repository root, for bench.textgen and bench.distributions
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdsite.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from helpdesk.models import FollowUp, Queue, Ticket  # noqa: E402

from bench import distributions as dist  # noqa: E402
from bench.textgen import TextGenerator  # noqa: E402

AGENT = "bench-agent-1"
PASSWORD = "sarv-bench-password"  # the same throw-away password as Sarv's generated users (bench/dataset.py)
# Sarv's statuses as django-helpdesk's: it has open, reopened, resolved, closed and duplicate, plus an on-hold flag.
STATUS = {"new": Ticket.OPEN_STATUS, "assigned": Ticket.OPEN_STATUS, "in_progress": Ticket.OPEN_STATUS,
          "on_hold": Ticket.OPEN_STATUS, "resolved": Ticket.RESOLVED_STATUS, "closed": Ticket.CLOSED_STATUS,
          "cancelled": Ticket.CLOSED_STATUS}


def priority(impact: int, urgency: int) -> int:
    """Sarv's default priority matrix (1 critical ... 5 planning), which django-helpdesk's 1..5 scale shares."""
    return impact + urgency - 1


def organisation(rng: random.Random, text: TextGenerator) -> dict:
    user_model = get_user_model()
    password = make_password(PASSWORD)
    agents = []
    for i in range(1, dist.AGENTS + 1):
        first, last = text.person()
        agents.append(user_model.objects.create(username=f"bench-agent-{i}", first_name=first, last_name=last,
                                                email=f"bench-agent-{i}@bench.invalid", is_staff=True,
                                                is_superuser=i == 1, password=password))
    queues = [Queue.objects.create(title=f"Support group {i}", slug=f"bench-{i}",
                                   email_address=f"bench-{i}@bench.invalid", allow_public_submission=True)
              for i in range(1, dist.GROUPS + 1)]
    requesters = []
    for i in range(1, dist.REQUESTERS + 1):
        first, last = text.person()
        requesters.append(user_model(username=f"bench-user-{i}", first_name=first, last_name=last,
                                     email=f"bench-user-{i}@bench.invalid",
                                     password=password if i <= dist.SIGN_IN_REQUESTERS else "!"))
    user_model.objects.bulk_create(requesters, batch_size=1000)
    members: dict[int, list] = {queue.pk: [] for queue in queues}
    for index, agent in enumerate(agents):
        members[queues[index % len(queues)].pk].append(agent)
    return {"queues": queues, "members": members,
            "requesters": list(user_model.objects.filter(username__startswith="bench-user-").order_by("pk"))}


def load(count: int, seed: int, batch_size: int) -> None:
    rng = random.Random(seed)
    text = TextGenerator(rng)
    org = organisation(rng, text)
    Ticket._meta.get_field("created").auto_now_add = False
    Ticket._meta.get_field("modified").auto_now = False
    now = timezone.now()
    start = now - dt.timedelta(days=dist.SPAN_DAYS)
    started = time.monotonic()
    made = 0
    while made < count:
        size = min(batch_size, count - made)
        moments = sorted(start + dt.timedelta(seconds=rng.uniform(0, dist.SPAN_DAYS * 86400)) for _ in range(size))
        built = [build(rng, text, org, moment, now) for moment in moments]
        with transaction.atomic():
            tickets = Ticket.objects.bulk_create([ticket for ticket, _rows in built], batch_size=1000)
            followups = []
            for ticket, (_unsaved, rows) in zip(tickets, built, strict=True):
                for row in rows:
                    row.ticket = ticket
                    followups.append(row)
            FollowUp.objects.bulk_create(followups, batch_size=2000)
        made += size
        sys.stderr.write(f"\r{made:,}/{count:,} tickets ({made / max(time.monotonic() - started, 0.001):,.0f}/s)")
    sys.stderr.write("\n")


def build(rng: random.Random, text: TextGenerator, org: dict, created: dt.datetime,
          now: dt.datetime) -> tuple[Ticket, list[FollowUp]]:
    title, body = text.title_and_body()
    status = dist.weighted(rng, dist.STATUS_WEIGHTS)
    impact, urgency = dist.weighted(rng, dist.LEVEL_WEIGHTS), dist.weighted(rng, dist.LEVEL_WEIGHTS)
    requester = rng.choice(org["requesters"])
    queue = org["queues"][dist.pick_group_index(rng, len(org["queues"]))]
    members = org["members"][queue.pk]
    assignee = rng.choice(members) if members and status != "new" else None
    resolved = status in ("resolved", "closed", "cancelled")
    modified = min(created + dt.timedelta(hours=rng.expovariate(1 / 20)), now) if resolved else created
    ticket = Ticket(title=title[:200], description=body, queue=queue, created=created, modified=modified,
                    submitter_email=requester.email, assigned_to=assignee, status=STATUS[status],
                    on_hold=status == "on_hold", priority=priority(impact, urgency),
                    resolution="رفع شد" if resolved else None)
    persian = any("\u0600" <= ch <= "\u06ff" for ch in title)
    moment = created
    rows = [FollowUp(date=moment, title="Ticket Opened", comment=body, public=True, user=None)]
    if status != "new":
        for _ in range(dist.weighted(rng, dist.REASSIGNMENT_WEIGHTS)):
            moment += dt.timedelta(minutes=rng.expovariate(1 / 180))
            rows.append(FollowUp(date=moment, title="Queue changed", comment="", public=False, user=assignee))
    for _ in range(rng.choice(dist.REPLY_COUNTS)):
        moment += dt.timedelta(minutes=rng.uniform(5, 240))
        rows.append(FollowUp(date=moment, title="Comment", comment=text.reply(persian), public=rng.random() < 0.7,
                             user=assignee))
    if status != "new":
        rows.append(FollowUp(date=modified, title="Status changed", comment="", public=True, user=assignee,
                             new_status=STATUS[status]))
    return ticket, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch-size", type=int, default=5000)
    args = parser.parse_args()
    if Ticket.objects.exists():
        sys.exit("the peer database already has tickets; drop it first")
    started = time.monotonic()
    load(args.tickets, args.seed, args.batch_size)
    sys.stdout.write(f"loaded {args.tickets:,} tickets in {time.monotonic() - started:.1f} s\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
