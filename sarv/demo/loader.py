"""Loading the demo: the organisation, a replayed slice of the UCI log, the stories and the missing states.

Everything happens in one transaction, so the demo is either loaded whole or
not at all, and a loaded demo is recognised by its administrator and its
service desk group. The demo goes only into an empty database (no incidents,
no people), so ``make run`` never mixes it into real data.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sarv.accounts.models import SupportGroup, User
from sarv.demo.agreements import compute_demo_clocks, give_agreements
from sarv.demo.calendars import give_calendars
from sarv.demo.cmdb import build_cmdb
from sarv.demo.known_errors import build_known_errors
from sarv.demo.mapping import DemoNames
from sarv.demo.organisation import ADMIN_USERNAME, DEMO_PASSWORD, build_organisation
from sarv.demo.problems import give_problems
from sarv.demo.sample import CUTOFF, SAMPLE_PATH
from sarv.demo.states import fill_states
from sarv.demo.stories import write_stories
from sarv.incidents import actions as incident_actions
from sarv.incidents.importers.common import ImportSummary
from sarv.incidents.importers.uci import UciImport
from sarv.incidents.models import Incident

logger = logging.getLogger(__name__)

MARKER_GROUP = "service-desk"
# The people the login help names, one per role.
LOGINS = (
    ("agent", "ali.karimi"),
    ("requester", "sara.rezaei"),
    ("incident manager", "neda.salehi"),
    ("problem manager", "kamran.yazdani"),
    ("administrator", ADMIN_USERNAME),
)


@dataclass
class DemoResult:
    loaded: bool
    message: str = ""
    imported: ImportSummary | None = None
    filled: int = 0


def is_loaded() -> bool:
    return (User.objects.filter(username=ADMIN_USERNAME).exists()
            and SupportGroup.objects.filter(code=MARKER_GROUP).exists())


def is_empty() -> bool:
    return not Incident.objects.exists() and not User.objects.exists()


def time_shift(now: dt.datetime) -> dt.timedelta:
    """Return how far to move the UCI slice so its cut-off lands on the last Tehran noon at least an hour ago.

    The cut-off is noon in the file's time, so the shift is whole days less the
    Tehran offset. Every time of day in the file becomes the same time of day in
    Tehran, and the file's working hours stay working hours.
    """
    tehran = zoneinfo.ZoneInfo(settings.SARV_NUMBERING_TIME_ZONE)
    latest = (now - dt.timedelta(hours=1)).astimezone(tehran)
    noon = latest.replace(hour=12, minute=0, second=0, microsecond=0)
    if noon > latest:
        noon -= dt.timedelta(days=1)
    return noon.astimezone(dt.UTC) - CUTOFF


def load(now: dt.datetime | None = None) -> DemoResult:
    """Load the demo unless it is loaded already or the database contains other data."""
    if is_loaded():
        return DemoResult(loaded=False, message="The demo is already loaded; nothing changed.")
    if not is_empty():
        return DemoResult(loaded=False, message="The database already contains people or incidents, so the demo "
                                                "was not loaded. Use an empty database for the demo.")
    now = now or timezone.now()
    with transaction.atomic():
        org = build_organisation()
        give_calendars(org, now)
        give_agreements(org)
        summary = UciImport(SAMPLE_PATH, names=DemoNames(org), until=CUTOFF, shift=time_shift(now),
                            progress=False).run()
        write_stories(org, now)
        filled = fill_states(org, now)
        build_cmdb(org)
        give_problems(org, now)
        # From now on, incidents reported without an assignment go to the service desk, as in most departments.
        incident_actions.update_incident_policy(
            actor=org.people[ADMIN_USERNAME], reopen_window_days=7, auto_close_days=3,
            default_group=org.groups["service-desk"],
        )
        # Imported incidents were written in bulk, without the per-action recompute: compute every clock once.
        compute_demo_clocks(now)
        # Written through the actions, whose timeline hooks compute the problems' clocks as they go.
        build_known_errors(org)
    logger.info("Demo loaded: %s imported incidents, %s filled states", summary.created, filled)
    return DemoResult(loaded=True, message="The demo was loaded.", imported=summary, filled=filled)


def login_help() -> list[str]:
    lines = [f"Open {settings.SARV_BASE_URL} and sign in with the password {DEMO_PASSWORD} as:"]
    people = {user.username: user for user in User.objects.filter(username__in=[name for _role, name in LOGINS])}
    for role, username in LOGINS:
        user = people.get(username)
        name = f" ({user.get_full_name()})" if user is not None else ""
        lines.append(f"  {role + ':':<18}{username}{name}")
    return lines
