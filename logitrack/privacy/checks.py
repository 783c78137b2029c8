"""System checks that keep the data inventory complete and truthful (``logitrack check``).

privacy.E001  a stored field has no classification
privacy.E002  a classification names a model or field that does not exist (or stores nothing)
privacy.E003  a classification names a data category outside the taxonomy and our extensions
privacy.E004  erasure "retain" without a reason
privacy.E005  a field in a sensitive category is not flagged sensitive
privacy.E006  a classification contradicts itself (subject, legal basis, purpose)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.apps import AppConfig, apps
from django.core.checks import CheckMessage, Error, register
from django.utils.translation import gettext as _

from logitrack.privacy import taxonomy
from logitrack.privacy.inventory import (
    INVENTORY,
    AnyModel,
    Erasure,
    FieldClass,
    Inventory,
    LegalBasis,
    Purpose,
    Subject,
    inventoried_models,
    stored_fields,
)

TAG = "privacy"


@register(TAG)
def inventory_check(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    models = inventoried_models()
    if app_configs is not None:
        labels = {config.label for config in app_configs}
        models = [m for m in models if m._meta.app_label in labels]
        return check_inventory(INVENTORY, models, app_labels=labels)
    return check_inventory(INVENTORY, models)


def check_inventory(
    inventory: Inventory, models: Iterable[AnyModel], *, app_labels: set[str] | None = None
) -> list[CheckMessage]:
    """Every problem of ``inventory`` against ``models``.

    Declarations for apps that are not installed are ignored rather than reported: a model that
    is installed but classified under a misspelt label is still caught, as unclassified.
    Declarations for apps outside ``app_labels`` (when given) are not judged.
    """
    models = list(models)
    messages: list[CheckMessage] = []
    for model in models:
        messages.extend(_unclassified(inventory, model))
    by_label = {m._meta.label_lower: m for m in models}
    installed = {config.label for config in apps.get_app_configs()}
    for label, declared in sorted(inventory.declarations.items()):
        app_label = label.partition(".")[0]
        if app_label not in installed:
            continue  # e.g. django-axes' models while axes is not installed
        if app_labels is not None and app_label not in app_labels:
            continue
        target = by_label.get(label) or _installed_model(label)
        if target is None:
            messages.append(
                Error(
                    _("The inventory classifies %(model)s, which is not a model of its app.")
                    % {"model": label},
                    hint=_("Remove the declaration of a model that no longer exists."),
                    id="privacy.E002",
                )
            )
            continue
        messages.extend(_declarations(target, declared))
    return messages


def _installed_model(label: str) -> AnyModel | None:
    app_label, _dot, model_name = label.partition(".")
    try:
        return apps.get_model(app_label, model_name)
    except LookupError:
        return None


def _unclassified(inventory: Inventory, model: AnyModel) -> list[CheckMessage]:
    declared = inventory.declared(model)
    return [
        Error(
            _("%(field)s has no privacy classification.")
            % {"field": f"{model._meta.label}.{field.name}"},
            hint=_(
                "Classify it in logitrack/<app>/inventory.py with register(), or in "
                "logitrack/privacy/third_party.py for a third-party app."
            ),
            obj=field,
            id="privacy.E001",
        )
        for field in stored_fields(model)
        if field.name not in declared
    ]


def _declarations(model: AnyModel, declared: dict[str, FieldClass]) -> list[CheckMessage]:
    stored = {field.name for field in stored_fields(model)}
    messages: list[CheckMessage] = []
    for name, classification in sorted(declared.items()):
        where = f"{model._meta.label}.{name}"
        if name not in stored:
            messages.append(
                Error(
                    _("The inventory classifies %(field)s, which is not a stored field.")
                    % {"field": where},
                    hint=_("Use the field's name (not its column) and remove stale entries."),
                    obj=model,
                    id="privacy.E002",
                )
            )
            continue
        messages.extend(_classification(model, where, classification))
    return messages


def _classification(model: AnyModel, where: str, c: FieldClass) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if not taxonomy.is_known_category(c.category):
        messages.append(
            Error(
                _("%(field)s: unknown data category %(category)r.")
                % {"field": where, "category": c.category},
                hint=_(
                    "Use a fides_key of the fideslang default taxonomy or add an extension "
                    "in logitrack/privacy/taxonomy.py."
                ),
                obj=model,
                id="privacy.E003",
            )
        )
    if c.erasure == Erasure.RETAIN and not str(c.reason).strip():
        messages.append(
            Error(
                _("%(field)s is retained on erasure without a reason.") % {"field": where},
                hint=_("State why the value must outlive the person's request in reason=."),
                obj=model,
                id="privacy.E004",
            )
        )
    if taxonomy.is_sensitive_category(c.category) and not c.sensitive:
        messages.append(
            Error(
                _("%(field)s holds sensitive data (%(category)s) but is not flagged sensitive.")
                % {"field": where, "category": c.category},
                hint=_("Set sensitive=True."),
                obj=model,
                id="privacy.E005",
            )
        )
    messages.extend(
        Error(
            _("%(field)s: %(problem)s") % {"field": where, "problem": problem},
            obj=model,
            id="privacy.E006",
        )
        for problem in _contradictions(c)
    )
    return messages


def _contradictions(c: FieldClass) -> list[str]:
    problems: list[str] = []
    personal_subject = c.subject != Subject.NONE
    if personal_subject and c.basis == LegalBasis.NOT_APPLICABLE:
        problems.append(_("data about a person needs a legal basis."))
    if not personal_subject and c.basis != LegalBasis.NOT_APPLICABLE:
        problems.append(_("data about nobody takes the legal basis not_applicable."))
    if not personal_subject and taxonomy.is_personal_category(c.category):
        problems.append(_("a user.* category describes a person; name the data subject."))
    if c.purpose == Purpose.MARKETING_WITH_CONSENT and c.basis != LegalBasis.CONSENT:
        problems.append(_("marketing needs consent (policy section 3)."))
    return problems
