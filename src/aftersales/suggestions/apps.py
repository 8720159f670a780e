from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "aftersales.suggestions"
    label = "suggestions"
    verbose_name = _("Customer suggestions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The suggestion flow table joins the shared workflow registry when the app loads.
        from . import workflow  # noqa: F401
