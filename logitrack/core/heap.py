"""A server process's settled heap, kept out of the garbage collector's full collections
(docs/adr/0045 for the device gateway, docs/adr/0050 for the main site).

A full (oldest-generation) collection traverses every tracked object: with Django, the ORM, the
URLconf, the views and the catalogues loaded, that is hundreds of thousands, and it holds the GIL
throughout, so whatever the process was serving waits for it (132 ms in the gateway, up to about
100 ms in a request of the main site). Those objects live as long as the process; freezing them
(``gc.freeze``) moves them into the permanent generation, which collections skip. What requests
allocate afterwards dies young and is still collected as before.

The cost: a frozen object is never collected, not even a garbage cycle caught in the freeze. So
only the heap of a process that has finished starting is frozen, after one collection, never in
the middle of serving: ``freeze_heap``. The main site's WSGI entry (``config/wsgi.py``) first
loads what Django would otherwise import on its first request (``load_site``), so that this too
is frozen: ``freeze_site_heap``. ``bench/device_history.py`` calls ``freeze_site_heap`` after
its set-up so that it measures what the server does.
"""

from __future__ import annotations

import gc


def freeze_heap() -> int:
    """Collect once, then move every object alive into the collector's permanent generation.

    Call it when a process has finished starting (its long-lived objects are made), not while it
    serves: the collection is a full one, and what is alive at that moment is never collected.
    Returns the number of objects frozen (``gc.get_freeze_count()``)."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def load_site() -> None:
    """Import and build, in this process, what Django makes only on the first request that needs
    it, and which every process of the main site makes sooner or later: the URLconf (every app's
    ``urls`` and ``views`` module and what they import, about 500 modules), the template engines
    with their loaders, context processors and tag libraries, the message storage and session
    serializer classes, and each language's catalogue and format modules. Templates themselves
    are compiled on first use (the engine's cached loader keeps each), and no database
    connection is opened: those stay lazy."""
    from django.conf import settings
    from django.template import engines
    from django.urls import get_resolver
    from django.utils import formats, translation
    from django.utils.module_loading import import_string

    get_resolver().url_patterns  # noqa: B018 - the property imports the URLconf
    for engine in engines.all():
        inner = getattr(engine, "engine", None)  # DjangoTemplates' Engine
        if inner is not None:
            inner.template_loaders  # noqa: B018 - cached properties that import
            inner.template_context_processors  # noqa: B018
    for name in ("MESSAGE_STORAGE", "SESSION_SERIALIZER"):  # imported by the middleware
        import_string(getattr(settings, name))
    for code, _name in settings.LANGUAGES:
        with translation.override(code):  # loads the language's catalogues
            formats.get_format_modules(code)


def freeze_site_heap() -> int:
    """``load_site`` then ``freeze_heap``: what the main site's WSGI entry does once its
    application is made (``config/wsgi.py``). Returns the number of objects frozen."""
    load_site()
    return freeze_heap()
