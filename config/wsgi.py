"""The WSGI application: Django, with exam day's answer saves answered before its middleware
(``lms.exams.fastsave``; every other request goes to Django unchanged)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

from lms.exams.api import ExamSaveGateway  # noqa: E402 -- Django must be set up first

application = ExamSaveGateway(application)
