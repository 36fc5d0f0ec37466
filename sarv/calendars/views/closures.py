"""Ad-hoc closures: the quick form and the list on one page, and reversing one."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sarv.accounts.models import User
from sarv.calendars import actions
from sarv.calendars.forms import ClosureForm
from sarv.calendars.models import Closure
from sarv.calendars.views.common import attempt, moved_page
from sarv.core.errors import SarvError
from sarv.core.settings_views.common import paginate, settings_admin_required, settings_page


@settings_admin_required
def closure_list(request: HttpRequest) -> HttpResponse:
    actor = cast(User, request.user)
    form = ClosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, result = attempt(form, lambda: actions.save_closure(actor=actor, values=form.cleaned_data))
        if ok:
            closure, moved = result
            return moved_page(request, title=_("Closure saved"),
                              message=_("The closure “%(reason)s” was saved.") % {"reason": closure.reason},
                              moved=moved, back_url=reverse("calendars:closures"))
    closures = Closure.objects.prefetch_related("locations", "exempt_groups").select_related(
        "created_by", "reversed_by")
    return settings_page(request, "calendars/closures.html", {"form": form, "page": paginate(request, closures)})


@require_POST
@settings_admin_required
def closure_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    from django.contrib import messages

    closure = get_object_or_404(Closure, pk=pk)
    try:
        _closure, moved = actions.reverse_closure(actor=request.user, closure=closure)
    except SarvError as error:
        messages.error(request, error.message)
        return redirect("calendars:closures")
    return moved_page(request, title=_("Closure reversed"),
                      message=_("The closure “%(reason)s” was reversed.") % {"reason": closure.reason},
                      moved=moved, back_url=reverse("calendars:closures"))
