from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ScheduledRun(models.Model):
    """A claim that one periodic job has been enqueued for one period.

    The unique constraint is what lets several scheduler processes run at once:
    the first to insert the row enqueues the job, the others see the conflict and skip.
    """

    job = models.CharField(max_length=100)
    period_start = models.DateTimeField()
    claimed_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=120, blank=True)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        constraints = [models.UniqueConstraint(fields=["job", "period_start"], name="core_scheduledrun_period")]
        indexes = [models.Index(fields=["job", "-period_start"], name="core_scheduledrun_latest")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.period_start:%Y-%m-%d %H:%M}"
