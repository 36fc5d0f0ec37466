from django.db import models
from django.utils.translation import gettext_lazy as _


class NumberSequence(models.Model):
    """The last number handed out for one record prefix in one Jalali year (INC in 1405, for example)."""

    prefix = models.CharField(_("prefix"), max_length=10)
    year = models.PositiveIntegerField(_("Jalali year"))
    last_value = models.PositiveBigIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="core_numbersequence_prefix_year")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_value}"
