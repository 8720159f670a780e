from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturnsConfig(AppConfig):
    name = "aftersales.returns"
    label = "returns"
    verbose_name = _("Returns and exchanges")

    def ready(self) -> None:
        # The return flow's table joins the shared workflow registry when the app loads.
        from .workflow import install

        install()
