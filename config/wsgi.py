"""WSGI entry point served by granian over TLS.

Once the application is made, each worker process loads what Django would otherwise import on
its first request (the URLconf, the template engines, the languages) and freezes the heap it
then holds out of the garbage collector's full collections, which paused requests for up to
about 100 ms (``logitrack.core.heap``, docs/adr/0050)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

application = get_wsgi_application()

from logitrack.core.heap import freeze_site_heap  # noqa: E402 - needs Django set up

freeze_site_heap()
