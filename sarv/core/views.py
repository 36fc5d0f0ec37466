"""Pages of the core app: home, preferences, language switch, notifications and attachment downloads."""

from __future__ import annotations

import zoneinfo
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from sarv.accounts.models import User
from sarv.core import audit, modules
from sarv.core.models import Attachment, Notification
from sarv.core.permissions import is_agent, is_settings_admin
from sarv.core.visibility import can_view_attachment

SUPPORTED_LANGUAGES = [code for code, _name in settings.LANGUAGES]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send agents to their workspace and everybody else to the requester portal.

    With incident management switched off there is nowhere to send them, so the page explains that
    and links administrators to the module switches.
    """
    if "incidents" not in modules.request_enabled_codes(request):
        return render(request, "core/no_modules.html", {"can_switch": is_settings_admin(request.user)})
    return redirect("incidents:list" if is_agent(request.user) else "portal:home")


def _safe_next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch between Persian and English; signed-in users keep the choice on their account."""
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(_safe_next(request))
    if language not in SUPPORTED_LANGUAGES:
        return response
    if request.user.is_authenticated and request.user.language != language:
        user = request.user
        before = user.language
        user.language = language
        user.save(update_fields=["language"])
        audit.log_update(user, user, {"language": [before, language]})
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE, httponly=True)
    return response


def _time_zone_choices() -> list[tuple[str, str]]:
    common = ["Asia/Tehran", "UTC", "Asia/Dubai", "Asia/Kabul", "Europe/Istanbul", "Europe/London"]
    return [("", _("Organisation default (%(zone)s)") % {"zone": settings.TIME_ZONE})] + [(z, z) for z in common]


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["time_zone"].choices = _time_zone_choices()  # type: ignore[attr-defined]

    def clean_time_zone(self) -> str:
        value = self.cleaned_data.get("time_zone") or ""
        if value:
            try:
                zoneinfo.ZoneInfo(value)
            except zoneinfo.ZoneInfoNotFoundError:
                raise forms.ValidationError(_("Unknown time zone.")) from None
        return value


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = PreferencesForm(request.POST or None, initial={"language": user.language, "time_zone": user.time_zone})
    if request.method == "POST" and form.is_valid():
        before = audit.snapshot(user, ["language", "time_zone"])
        user.language = form.cleaned_data["language"]
        user.time_zone = form.cleaned_data["time_zone"]
        user.save(update_fields=["language", "time_zone"])
        audit.log_update(user, user, audit.diff(before, audit.snapshot(user, ["language", "time_zone"])))
        translation.activate(user.language)
        messages.success(request, _("Your preferences were saved."))
        response = redirect("core:preferences")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, max_age=365 * 24 * 3600,
                            samesite="Lax", secure=settings.SESSION_COOKIE_SECURE, httponly=True)
        return response
    return render(request, "core/preferences.html", {"form": form})


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """List the user's notifications, newest first; opening the page marks them read."""
    queryset = Notification.objects.filter(recipient=cast(User, request.user)).select_related("actor", "content_type")
    page = Paginator(queryset, 30).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    records = _records_for(rows, request.user)
    items = [{"notification": n, "record": records.get((n.content_type_id, n.object_id))} for n in rows]
    unread_ids = [n.pk for n in rows if n.read_at is None]
    if unread_ids:
        Notification.objects.filter(pk__in=unread_ids).update(read_at=timezone.now())
    return render(request, "core/notifications.html", {"page": page, "items": items})


def _records_for(rows: list[Notification], user: Any) -> dict[tuple[int, int], object]:
    by_type: dict[int, list[int]] = {}
    for row in rows:
        by_type.setdefault(row.content_type_id, []).append(row.object_id)
    found: dict[tuple[int, int], object] = {}
    for content_type_id, ids in by_type.items():
        model = next(r.content_type.model_class() for r in rows if r.content_type_id == content_type_id)
        if model is None:
            continue
        # A notification outlives the access that it was sent for (a watcher who was removed, for example),
        # so it names only records that the user may still see.
        manager = model._default_manager
        records = manager.visible_to(user) if hasattr(manager, "visible_to") else manager.all()
        for record in records.filter(pk__in=ids):
            found[(content_type_id, record.pk)] = record
    return found


@login_required
def attachment_download(request: HttpRequest, public_id: str) -> FileResponse:
    """Serve an attachment after checking that the user may see its record (and internal files)."""
    attachment = get_object_or_404(Attachment.objects.select_related("content_type"), public_id=public_id)
    if not can_view_attachment(request.user, attachment):
        raise Http404(_("The file was not found or you do not have access to it."))
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    inline = request.GET.get("inline") == "1" and attachment.media_type.startswith("image/")
    response = FileResponse(handle, as_attachment=not inline, filename=attachment.original_name,
                            content_type=attachment.media_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
