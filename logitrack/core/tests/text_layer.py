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
from logitrack.core.forms import EmailTextField, NormalisedTextField
from logitrack.core.schemas import TextRule

# Modules where forms live; the tests import them so that every Form subclass is known.
_FORM_MODULES = ("forms", "views", "api")


def form_classes() -> list[type[forms.Form]]:
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
    found: list[type[forms.Form]] = []
    pending: list[type[forms.Form]] = [forms.Form]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            module = sub.__module__
            if module.startswith("logitrack.") and ".tests" not in module:
                found.append(sub)
    return sorted(set(found), key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def exempt_form_field(field: forms.Field) -> str | None:
    """Why a CharField may skip the layer's normalisation, or None: a password is a secret the
    layer never changes; an e-mail address has hazards refused and is then cleaned to its one
    canonical form (EmailTextField, core.identity), not collapsed like human text."""
    if isinstance(field, EmailTextField):
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


def _text_rule_of(schema: dict[str, Any]) -> bool:
    function = schema.get("function", {}).get("function")
    return isinstance(getattr(function, "__self__", None), TextRule)


def _walk(
    schema: Any, where: str, definitions: dict[str, Any], seen: set[str]
) -> Iterator[tuple[str, bool]]:
    """(path, covered) for each ``str`` schema under ``schema``; covered: inside a TextRule."""
    if isinstance(schema, list):
        for item in schema:
            yield from _walk(item, where, definitions, seen)
        return
    if not isinstance(schema, dict):
        return
    kind = schema.get("type")
    children: list[tuple[Any, str]] = []
    if kind == "definitions":
        definitions.update({item["ref"]: item for item in schema.get("definitions", [])})
        children = [(schema["schema"], where)]
    elif kind == "definition-ref":
        ref = schema["schema_ref"]
        children = [] if ref in seen else [(definitions[ref], where)]
        seen.add(ref)
    elif kind in {"str", "function-before"} and (kind == "str" or _text_rule_of(schema)):
        yield where, kind != "str"
    elif kind == "model-fields":
        children = [(f["schema"], f"{where}.{name}") for name, f in schema["fields"].items()]
    else:
        skip = {"metadata", "serialization", "ref"}
        children = [(value, where) for key, value in schema.items() if key not in skip]
    for child, path in children:
        yield from _walk(child, path, definitions, seen)


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
