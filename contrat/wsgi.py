"""WSGI entry point (e.g. ``gunicorn contrat.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contrat.settings")

application = get_wsgi_application()
