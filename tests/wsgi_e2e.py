"""The app as the end-to-end tests serve it: gunicorn (a real listen backlog
for dozens of simultaneous clients) with the static files served too."""

import os

from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = StaticFilesHandler(get_wsgi_application())
