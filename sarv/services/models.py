"""IT services («خدمات»), the things incidents affect. The service portfolio will grow around this model."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sarv.core.models import BilingualNameMixin


class Service(BilingualNameMixin):
    """A business or technical service that IT delivers, with the group that owns it."""

    code = models.CharField(_("code"), max_length=40, blank=True)
    description = models.TextField(_("description"), blank=True)
    owner_group = models.ForeignKey(
        "accounts.SupportGroup", on_delete=models.PROTECT, null=True, blank=True, related_name="owned_services",
        verbose_name=_("owning support group"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name_fa"]


class Supplier(BilingualNameMixin):
    """An external supplier («تأمین‌کننده») that supports IT services under an underpinning contract.

    A record put on hold "waiting for a supplier" names the supplier it waits on, and
    the supplier's underpinning contract (UC) clock runs only during that wait.
    """

    code = models.CharField(_("code"), max_length=40, blank=True)
    contact = models.TextField(_("contact details"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name_fa"]
