"""Clocks as people read them: labels, business durations and state colours, in the active language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from sarv.core import jalali
from sarv.core.text import to_persian_digits
from sarv.sla.choices import AgreementKind, ClockState, TargetMetric
from sarv.sla.clocks import ClockResult, State
from sarv.sla.models import Agreement

# Bootstrap colour of each clock state.
STATE_COLOURS = {
    State.NOT_STARTED: "secondary",
    State.RUNNING: "primary",
    State.PAUSED: "warning",
    State.MET: "success",
    State.BREACHED: "danger",
    State.STOPPED: "secondary",
}


def format_duration(seconds: int) -> str:
    """Format business seconds as hours and minutes, e.g. "7 h 30 min" (Persian digits on Persian pages)."""
    sign = "-" if seconds < 0 else ""
    minutes = abs(seconds) // 60
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        text = _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    elif hours:
        text = _("%(hours)s h") % {"hours": hours}
    else:
        text = _("%(minutes)s min") % {"minutes": minutes}
    return to_persian_digits(sign + text) if jalali.uses_jalali() else sign + text


def remaining_text(seconds: int) -> str:
    """Format the business time left, or by how much the target is passed once it is negative."""
    if seconds >= 0:
        return format_duration(seconds)
    return _("%(duration)s overdue") % {"duration": format_duration(-seconds)}


def clock_label(kind: str, metric: str, agreement_id: int, names: dict[int, str] | None = None) -> str:
    if names is not None and agreement_id in names:
        name = names[agreement_id]
    else:
        agreement = Agreement.objects.filter(pk=agreement_id).first()
        name = agreement.name if agreement else str(agreement_id)
    return f"{name}: {TargetMetric(metric).label}"


@dataclass
class ClockRow:
    """One clock prepared for a page or the API."""

    clock: ClockResult
    agreement: Agreement | None
    metric_label: str
    kind_label: str
    state_label: str
    colour: str
    target_text: str
    elapsed_text: str
    remaining_text: str
    paused_text: str
    percent: int

    @property
    def width_class(self) -> str:
        """Return the CSS class of the progress bar's width, in steps of 5% (the CSP forbids inline styles)."""
        return f"sla-progress-{self.percent // 5 * 5}"

    @property
    def agreement_name(self) -> str:
        return self.agreement.name if self.agreement else ""

    def as_dict(self) -> dict[str, Any]:
        clock = self.clock
        return {
            "agreement": clock.agreement_id, "agreement_name": self.agreement_name, "kind": clock.kind,
            "slot": clock.slot, "metric": clock.metric, "metric_label": self.metric_label,
            "state": clock.state, "state_label": self.state_label,
            "target_seconds": clock.target, "elapsed_seconds": clock.elapsed, "remaining_seconds": clock.remaining,
            "paused_seconds": clock.paused, "started_at": clock.started_at, "due_at": clock.due_at,
            "breached_at": clock.breached_at, "stopped_at": clock.stopped_at, "cycle": clock.cycle,
        }


def rows_for(clocks: list[ClockResult]) -> list[ClockRow]:
    agreements = Agreement.objects.in_bulk({clock.agreement_id for clock in clocks})
    rows = []
    for clock in clocks:
        percent = min(100, clock.elapsed * 100 // clock.target) if clock.target else 0
        rows.append(ClockRow(
            clock=clock, agreement=agreements.get(clock.agreement_id),
            metric_label=str(TargetMetric(clock.metric).label), kind_label=str(AgreementKind(clock.kind).label),
            state_label=str(ClockState(clock.state).label), colour=STATE_COLOURS.get(clock.state, "secondary"),
            target_text=format_duration(clock.target), elapsed_text=format_duration(clock.elapsed),
            remaining_text=remaining_text(clock.remaining), paused_text=format_duration(clock.paused),
            percent=percent,
        ))
    return rows


def timeline_lines(entry: Any) -> list[str]:
    """Return the lines shown under an SLA warning, breach or escalation entry, in the active language."""
    data = entry.data
    name = data.get("agreement_name_en") if translation.get_language() == "en" and data.get("agreement_name_en") \
        else data.get("agreement_name", "")
    metric = str(TargetMetric(data["metric"]).label) if data.get("metric") in TargetMetric.values else ""
    lines = [f"{name}: {metric}" if name else metric]
    if data.get("percent") is not None:
        lines.append(_("%(percent)s%% of the target used") % {"percent": data["percent"]})
    if data.get("level"):
        lines.append(_("Escalation level %(level)s") % {"level": data["level"]})
    action_labels = {"reassigned": _("reassigned to another group"), "priority_raised": _("priority raised")}
    for action in data.get("actions", []):
        lines.append(str(action_labels.get(action, action)))
    if jalali.uses_jalali():
        return [to_persian_digits(line) for line in lines]
    return lines
