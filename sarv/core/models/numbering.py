from django.db import models


class NumberSequence(models.Model):
    """The last number handed out for one record prefix in one Jalali year (INC in 1405, for example)."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveIntegerField()
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="core_numbersequence_prefix_year")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_value}"
