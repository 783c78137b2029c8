"""Classifications of the models of third-party apps, which cannot carry an inventory module.

Models are named by label, so a declaration imports nothing: django-axes' models are declared
whether or not axes is installed, and the checks ignore declarations for apps that are not.
"""

from __future__ import annotations

from logitrack.privacy import reasons
from logitrack.privacy.inventory import (
    Erasure,
    FieldClass,
    LegalBasis,
    Purpose,
    Retention,
    Subject,
    not_personal,
    register,
)

_reference = not_personal(
    retention=Retention.REFERENCE, erasure=Erasure.RETAIN, reason=reasons.REFERENCE_DATA
)

register(
    "contenttypes.ContentType", {"id": _reference, "app_label": _reference, "model": _reference}
)
register(
    "auth.Permission",
    {"id": _reference, "name": _reference, "content_type": _reference, "codename": _reference},
)
register("auth.Group", {"id": _reference, "name": _reference, "permissions": _reference})


def _session(category: str) -> FieldClass:
    return FieldClass(
        category=category,
        subject=Subject.USER,
        purpose=Purpose.AUTHENTICATE_SECURE,
        basis=LegalBasis.CONTRACT,
        retention=Retention.SESSION,
        erasure=Erasure.DELETE,
    )


register(
    "sessions.Session",
    {
        # The key is the value of the session cookie; the data holds the signed-in user's id.
        "session_key": _session("user.device.cookie_id"),
        "session_data": _session("user.device.cookie"),
        "expire_date": not_personal(retention=Retention.SESSION),
    },
)


def _sign_in(category: str, retention: Retention, *, kept: bool) -> FieldClass:
    return FieldClass(
        category=category,
        subject=Subject.USER,
        purpose=Purpose.AUTHENTICATE_SECURE,
        basis=LegalBasis.CONTRACT,
        retention=retention,
        erasure=Erasure.RETAIN if kept else Erasure.DELETE,
        reason=reasons.SECURITY_LOG if kept else "",
    )


def _access_base(retention: Retention, *, kept: bool) -> dict[str, FieldClass]:
    """The columns every django-axes record shares (``axes.models.AccessBase``)."""
    return {
        "id": not_personal(retention=retention),
        "user_agent": _sign_in("user.device", retention, kept=kept),
        "ip_address": _sign_in("user.device.ip_address", retention, kept=kept),
        "username": _sign_in("user.account.username", retention, kept=kept),
        "http_accept": _sign_in("user.device", retention, kept=kept),
        "path_info": _sign_in("user.behavior.browsing_history", retention, kept=kept),
        "attempt_time": _sign_in("user.behavior", retention, kept=kept),
    }


# Failed attempts count towards a lock-out and expire with it: erasure deletes them.
register(
    "axes.AccessAttempt",
    {
        **_access_base(Retention.SHORT_LIVED, kept=False),
        # The submitted form, with the password masked by axes: the login name remains.
        "get_data": _sign_in("user.account.username", Retention.SHORT_LIVED, kept=False),
        "post_data": _sign_in("user.account.username", Retention.SHORT_LIVED, kept=False),
        "failures_since_start": _sign_in("user.behavior", Retention.SHORT_LIVED, kept=False),
    },
)
register(
    "axes.AccessAttemptExpiration",
    {
        "access_attempt": not_personal(retention=Retention.SHORT_LIVED),
        "expires_at": not_personal(retention=Retention.SHORT_LIVED),
    },
)
register(
    "axes.AccessLog",
    {
        **_access_base(Retention.AUDIT, kept=True),
        "logout_time": _sign_in("user.behavior", Retention.AUDIT, kept=True),
        "session_hash": _sign_in("user.unique_id.pseudonymous", Retention.AUDIT, kept=True),
    },
)
register(
    "axes.AccessFailureLog",
    {
        **_access_base(Retention.AUDIT, kept=True),
        "locked_out": _sign_in("system.authentication", Retention.AUDIT, kept=True),
    },
)


# django-tasks-db's job queue (docs/adr/0012). Account e-mail tasks carry a user id and a
# template name, never an address or a token; finished rows are pruned by
# `logitrack prune_db_task_results`.
_job = not_personal(retention=Retention.SHORT_LIVED)
_JOB_FIELDS = (
    "id", "status", "enqueued_at", "started_at", "finished_at", "priority", "task_path",
    "worker_ids", "queue_name", "backend_name", "run_after", "return_value",
    "exception_class_path", "traceback",
)  # fmt: skip
_job_arguments = FieldClass(
    category="user.unique_id.pseudonymous",
    subject=Subject.USER,
    purpose=Purpose.AUTHENTICATE_SECURE,
    basis=LegalBasis.CONTRACT,
    retention=Retention.SHORT_LIVED,
    erasure=Erasure.DELETE,
)
register(
    "django_tasks_database.DBTaskResult",
    {
        **dict.fromkeys(_JOB_FIELDS, _job),
        "args_kwargs": _job_arguments,
    },
)
# django-rq's admin placeholder model (no table), installed with the Redis backend.
register("django_rq.Dashboard", {"id": _job})
