from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboundConfig(AppConfig):
    name = "aftersales.outbound"
    label = "outbound"
    verbose_name = _("Outbound campaigns")
    default_auto_field = "django.db.models.BigAutoField"
