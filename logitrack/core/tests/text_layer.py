"""Discovery of every form and every API input schema, for the text-layer tests (ADR 0017)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.urls import resolve
from ninja.operation import Operation
from pydantic import BaseModel

import logitrack
from logitrack.core.forms import NormalisedTextField
from logitrack.core.schemas import TextRule

# Modules where forms live; the tests import them so that every Form subclass is known.
_FORM_MODULES = ("forms", "views", "api")


def form_classes() -> list[type[forms.BaseForm]]:
    """Every concrete Form class defined in a logitrack app (tests excluded)."""
    for info in pkgutil.iter_modules(logitrack.__path__):
        if not info.ispkg:
            continue
        for name in _FORM_MODULES:
            dotted = f"logitrack.{info.name}.{name}"
            try:
                importlib.import_module(dotted)
            except ModuleNotFoundError as exc:
                if exc.name != dotted:
                    raise
    found: list[type[forms.BaseForm]] = []
    pending: list[type[forms.BaseForm]] = [forms.BaseForm]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            module = sub.__module__
            if module.startswith("logitrack.") and ".tests" not in module:
                found.append(sub)
    return sorted(set(found), key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def exempt_form_field(field: forms.Field) -> str | None:
    """Why a CharField may skip the layer, or None: e-mail fields belong to the e-mail
    canonicaliser of accounts (Django's EmailValidator refuses every control character), and a
    password is a secret the layer never changes."""
    if isinstance(field, forms.EmailField):
        return "email"
    if isinstance(field.widget, forms.PasswordInput):
        return "secret"
    return None


def form_text_fields_bypassing_the_layer() -> list[str]:
    bypassing = []
    for form_class in form_classes():
        for name, field in form_class.base_fields.items():
            if not isinstance(field, forms.CharField) or isinstance(field, NormalisedTextField):
                continue
            if exempt_form_field(field) is None:
                bypassing.append(f"{form_class.__module__}.{form_class.__qualname__}.{name}")
    return bypassing


@dataclass(frozen=True)
class ApiOperation:
    method: str
    path: str
    operation: Operation

    @property
    def input_models(self) -> list[type[BaseModel]]:
        return list(self.operation.models)


def api_operations() -> list[ApiOperation]:
    """Every operation of the API at /api/v1, found from its routers (not a hand list)."""
    resolve("/api/v1/me")  # loads the URL configuration, which mounts every router
    from logitrack.core.api import api

    found = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    full = "/api/v1" + (prefix.rstrip("/") + "/" + path.lstrip("/")).rstrip("/")
                    found.append(ApiOperation(method, full, operation))
    return found


def _walk(
    schema: Any, where: str, definitions: dict[str, Any], seen: set[str]
) -> Iterator[tuple[str, bool]]:
    """(path, covered) for every ``str`` schema under ``schema``; covered = wrapped in a TextRule."""
    if isinstance(schema, list):
        for item in schema:
            yield from _walk(item, where, definitions, seen)
        return
    if not isinstance(schema, dict):
        return
    kind = schema.get("type")
    if kind == "definitions":
        for item in schema.get("definitions", []):
            definitions[item["ref"]] = item
        yield from _walk(schema["schema"], where, definitions, seen)
        return
    if kind == "definition-ref":
        ref = schema["schema_ref"]
        if ref not in seen:
            seen.add(ref)
            yield from _walk(definitions[ref], where, definitions, seen)
        return
    if kind == "function-before":
        function = schema.get("function", {}).get("function")
        if isinstance(getattr(function, "__self__", None), TextRule):
            yield where, True
            return
    if kind == "str":
        yield where, False
        return
    if kind == "model-fields":
        for name, field in schema["fields"].items():
            yield from _walk(field["schema"], f"{where}.{name}", definitions, seen)
        return
    for key, value in schema.items():
        if key in {"metadata", "serialization", "ref"}:
            continue
        yield from _walk(value, where, definitions, seen)


def text_paths(model: type[BaseModel]) -> list[tuple[str, bool]]:
    """Every str-valued path of an input model (``BodyParams.payload.name``) and its coverage."""
    return list(_walk(model.__pydantic_core_schema__, model.__name__, {}, set()))


def api_text_fields_bypassing_the_layer() -> list[str]:
    bypassing = []
    for op in api_operations():
        for model in op.input_models:
            for where, covered in text_paths(model):
                if not covered:
                    bypassing.append(f"{op.method} {op.path}: {where}")
    return bypassing
