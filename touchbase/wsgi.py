"""The WSGI application that `touchbase serve` hands to waitress."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "touchbase.settings")
application = get_wsgi_application()
