"""In-app notifications and their e-mails, in each recipient's language and time zone.

Actions call ``notify`` inside their transaction: the in-app rows commit with
the change, and the e-mail task is enqueued only after the commit, so a rolled
back change sends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from sarv.core.models import Notification

logger = logging.getLogger(__name__)

# Subject and headline of each kind of notification. %(number)s and %(title)s come from the record.
KINDS: dict[str, dict[str, Any]] = {
    "assigned": {
        "subject": _("%(number)s was assigned to you"),
        "headline": _("The record %(number)s was assigned to you or your group."),
    },
    "public_reply": {
        "subject": _("New reply on %(number)s"),
        "headline": _("%(actor)s replied on %(number)s."),
    },
    "reopened": {
        "subject": _("%(number)s was reopened"),
        "headline": _("%(actor)s reopened %(number)s: the problem is not solved."),
    },
    "sla_warning": {
        "subject": _("%(number)s: an SLA clock is running out"),
        "headline": _("A clock of %(number)s has used a large part of its target. Act before it breaches."),
    },
    "sla_breached": {
        "subject": _("%(number)s breached an SLA target"),
        "headline": _("A clock of %(number)s passed its due time."),
    },
    "sla_escalated": {
        "subject": _("%(number)s was escalated"),
        "headline": _("%(number)s stays breached and was escalated to you."),
    },
    "resolved": {
        "subject": _("%(number)s was resolved"),
        "headline": _("%(number)s was resolved. Please confirm the resolution or reopen it if the problem remains."),
    },
    "workaround_updated": {
        "subject": _("%(number)s has a new workaround"),
        "headline": _("%(actor)s wrote a workaround on %(number)s, which is linked to incidents you work."),
    },
}


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    record: models.Model,
    actor: Any = None,
    data: Mapping[str, Any] | None = None,
) -> list[Notification]:
    """Create one notification per active recipient (never the actor) and e-mail them after commit."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    content_type = ContentType.objects.get_for_model(record)
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        if actor is not None and user.pk == getattr(actor, "pk", None):
            continue
        seen.add(user.pk)
        rows.append(Notification(
            recipient=user, kind=kind, content_type=content_type, object_id=record.pk,
            actor=actor if getattr(actor, "pk", None) else None, data=dict(data or {}),
        ))
    created = Notification.objects.bulk_create(rows)
    ids = [row.pk for row in created if row.pk is not None]
    if not ids:
        # Backends that do not return ids from bulk_create: read them back.
        ids = list(Notification.objects.filter(
            content_type=content_type, object_id=record.pk, kind=kind, emailed_at__isnull=True,
            recipient_id__in=seen,
        ).values_list("pk", flat=True))
    if ids:
        from sarv.core.tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.enqueue(notification_ids=ids))
    return created


def record_link(record: Any, user: Any) -> str:
    """Return the absolute URL of ``record`` as ``user`` opens it (agent workspace or requester portal)."""
    url_for = getattr(record, "url_for", None)
    path = url_for(user) if callable(url_for) else record.get_absolute_url()
    return f"{settings.SARV_BASE_URL}{path}"


def send_email(notification: Notification) -> bool:
    """Send the e-mail of one notification; return False when the recipient has no address."""
    user = notification.recipient
    if not user.email:
        return False
    record = notification.record
    language = getattr(user, "language", "") or settings.LANGUAGE_CODE
    zone = getattr(user, "time_zone", "") or settings.TIME_ZONE
    with translation.override(language), timezone.override(zone):
        texts = KINDS[notification.kind]
        params = {
            "number": getattr(record, "number", ""),
            "title": getattr(record, "title", ""),
            "actor": notification.actor.display_name if notification.actor else _("Sarv"),
        }
        context = {
            "notification": notification,
            "record": record,
            "recipient": user,
            "headline": str(texts["headline"]) % params,
            "subject": str(texts["subject"]) % params,
            "link": record_link(record, user),
            "data": notification.data,
            "direction": "rtl" if language.startswith("fa") else "ltr",
            "language": language,
        }
        text_body = render_to_string("core/email/notification.txt", context)
        html_body = render_to_string("core/email/notification.html", context)
    message = EmailMultiAlternatives(
        subject=context["subject"], body=text_body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email],
        headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
    )
    message.attach_alternative(html_body, "text/html")
    message.send()
    return True
