import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
application = get_wsgi_application()

from aftersales.core.startup import prepare_web_process  # noqa: E402 - needs Django set up

prepare_web_process()
