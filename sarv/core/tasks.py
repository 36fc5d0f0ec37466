"""Background tasks of the core app."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

from sarv.core.models import Notification
from sarv.core.scheduler import periodic
from sarv.env import env_int

logger = logging.getLogger(__name__)

EMAIL_MAX_ATTEMPTS = 5


@task()
def send_notification_emails(notification_ids: list[int], attempt: int = 1) -> int:
    """E-mail the given notifications that have not been e-mailed yet; return how many were sent.

    When the mail server fails, the failed notifications are enqueued again with
    a growing delay (2, 4, 8, 16 minutes), up to EMAIL_MAX_ATTEMPTS attempts.
    """
    from sarv.core.notifications import send_email

    sent = 0
    failed: list[int] = []
    pending = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related(
        "recipient", "actor", "content_type"
    )
    for notification in pending:
        try:
            delivered = send_email(notification)
        except OSError as error:
            logger.warning("Sending the e-mail of notification %s failed (attempt %s): %s",
                           notification.pk, attempt, error)
            failed.append(notification.pk)
            continue
        if delivered:
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
            sent += 1

    if failed and attempt < EMAIL_MAX_ATTEMPTS:
        delay = dt.timedelta(minutes=2**attempt)
        send_notification_emails.using(run_after=timezone.now() + delay).enqueue(
            notification_ids=failed, attempt=attempt + 1
        )
    elif failed:
        logger.error("Gave up e-mailing notifications %s after %s attempts", failed, attempt)
    logger.info("Sent %s notification e-mails of %s requested", sent, len(notification_ids))
    return sent


@periodic(every=dt.timedelta(seconds=env_int("SARV_HEARTBEAT_SECONDS", 300, minimum=1)), name="core.heartbeat")
@task()
def heartbeat() -> str:
    """Show that the scheduler and a worker are alive: each run leaves a finished task result in the queue table."""
    now = timezone.now().isoformat()
    logger.info("Heartbeat at %s", now)
    return now
