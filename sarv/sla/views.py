"""Settings pages of service level management: agreements (with their order of precedence) and suppliers."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from sarv.accounts.models import User
from sarv.core.choices import Priority
from sarv.core.db import persian_order
from sarv.core.settings_views.common import (
    EditPages,
    paginate,
    run_action,
    save_form,
    settings_admin_required,
    settings_page,
)
from sarv.services.models import Supplier
from sarv.sla import actions
from sarv.sla.choices import AgreementKind
from sarv.sla.display import format_duration
from sarv.sla.forms import AgreementForm, SupplierForm
from sarv.sla.models import Agreement

SUPPLIER_FIELDS = ("name_fa", "name_en", "code", "contact", "is_active")


def _target_summary(agreement: Agreement) -> list[str]:
    labels = []
    for target in agreement.targets.all():
        text = f"{target.get_metric_display()}: {format_duration(target.seconds)}"
        if target.priority is not None:
            text += f" ({target.get_priority_display()})"
        labels.append(text)
    return labels


@settings_admin_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    agreements = Agreement.objects.select_related("ola_group", "uc_supplier", "calendar").prefetch_related(
        "targets", "escalations").order_by("kind", "precedence", "pk")
    groups = []
    for kind, label in AgreementKind.choices:
        rows = [{"agreement": a, "targets": _target_summary(a)} for a in agreements if a.kind == kind]
        groups.append({"kind": kind, "label": label, "rows": rows})
    return settings_page(request, "sla/settings/agreements.html", {"groups": groups})


def _agreement_page(request: HttpRequest, agreement: Agreement | None) -> HttpResponse:
    form = AgreementForm(request.POST or None, initial=AgreementForm.initial_for(agreement))
    actor = cast(User, request.user)

    def save(data: dict[str, Any]) -> Agreement:
        return actions.save_agreement(actor=actor, agreement=agreement, values=data, targets=form.targets(),
                                      escalations=form.escalations())

    message = gettext("The agreement was created.") if agreement is None else gettext("The agreement was saved.")
    response = save_form(request, form, save, success_message=message, success_url=reverse("sla:agreements"))
    if response is not None:
        return response
    title = gettext("New agreement") if agreement is None else gettext("Edit agreement %(name)s") % {
        "name": agreement}
    return settings_page(request, "sla/settings/agreement_form.html", {
        "form": form, "title": title, "agreement": agreement, "back_url": reverse("sla:agreements"),
        "priority_choices": Priority.choices,
    })


@settings_admin_required
def agreement_create(request: HttpRequest) -> HttpResponse:
    return _agreement_page(request, None)


@settings_admin_required
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _agreement_page(request, get_object_or_404(Agreement, pk=pk))


@require_POST
@settings_admin_required
def agreement_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(Agreement, pk=pk)
    run_action(request, lambda: actions.set_agreement_active(actor=cast(User, request.user), agreement=agreement,
                                                             is_active=not agreement.is_active),
               success_message=gettext("The agreement was saved."))
    return redirect("sla:agreements")


@require_POST
@settings_admin_required
def agreement_move(request: HttpRequest, pk: int, direction: str) -> HttpResponse:
    agreement = get_object_or_404(Agreement, pk=pk)
    step = -1 if direction == "up" else 1
    if run_action(request, lambda: actions.move_agreement(actor=cast(User, request.user), agreement=agreement,
                                                          step=step),
                  success_message=gettext("The order of precedence was saved.")):
        messages.info(request, gettext("Open records' clocks are being recomputed."))
    return redirect("sla:agreements")


@settings_admin_required
def supplier_list(request: HttpRequest) -> HttpResponse:
    queryset = Supplier.objects.order_by("-is_active", persian_order("name_fa"))
    return settings_page(request, "sla/settings/suppliers.html", {"page": paginate(request, queryset)})


supplier_create, supplier_edit = EditPages(
    model=Supplier, form_class=SupplierForm, fields=SUPPLIER_FIELDS,
    save=lambda actor, supplier, data: actions.save_supplier(actor=actor, supplier=supplier, values=data),
    list_url_name="sla:suppliers", new_title=_("New supplier"), edit_title=_("Edit supplier %(name)s"),
    created_message=_("The supplier was created."), saved_message=_("The supplier was saved."),
).views()
