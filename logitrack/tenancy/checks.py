"""System checks that keep tenancy and access control fail-closed as the code grows.

- tenancy.E001: a concrete model is neither tenant-scoped nor declared global with a reason.
- tenancy.E002: a URL's view declares no access rule.
- tenancy.E003: an API operation declares no access rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.core.checks import CheckMessage, Error, Tags, register
from django.urls import URLPattern, URLResolver, get_resolver

from logitrack.core.models import GLOBAL_MODELS, TenantScopedModel
from logitrack.tenancy.access import access_rule_of
from logitrack.tenancy.middleware import is_ninja_dispatch


@register(Tags.models)
def check_models_are_scoped(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for model in apps.get_models():
        label = model._meta.label_lower
        if issubclass(model, TenantScopedModel) or label in GLOBAL_MODELS:
            continue
        errors.append(
            Error(
                f"{label} is neither tenant-scoped nor declared global.",
                hint="Inherit TenantScopedModel, or call register_global_model() with a reason.",
                obj=model,
                id="tenancy.E001",
            )
        )
    return errors


def iter_url_patterns(
    patterns: list[Any] | None = None, prefix: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    """Every URL pattern with its full route, resolving includes."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from iter_url_patterns(list(entry.url_patterns), prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def iter_api_operations() -> Iterator[tuple[str, str, Any]]:
    """(route, HTTP methods, view function) of every operation of Logitrack's API."""
    from logitrack.core.api import api

    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                route = "/".join(part.strip("/") for part in (prefix, path) if part.strip("/"))
                yield route, ",".join(operation.methods), operation.view_func


@register(Tags.security, Tags.urls)
def check_views_declare_access(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for route, pattern in iter_url_patterns():
        callback = pattern.callback
        if access_rule_of(callback) is None and not is_ninja_dispatch(callback):
            errors.append(
                Error(
                    f"The view of URL '{route}' declares no access rule.",
                    hint="Decorate it with requires(), signed_in(), platform_staff() or public().",
                    id="tenancy.E002",
                )
            )
    for route, methods, view_func in iter_api_operations():
        if access_rule_of(view_func) is None:
            errors.append(
                Error(
                    f"The API operation {methods} {route} declares no access rule.",
                    hint="Decorate it with requires(), signed_in(), platform_staff() or public().",
                    id="tenancy.E003",
                )
            )
    return errors
