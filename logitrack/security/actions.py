"""The names of audited events.

Names follow the OWASP Logging Vocabulary where one fits (``authn_*``, ``authz_*``, ``session_*``,
``user_*``, ``privilege_*``, ``sys_*``), so that a security officer or a SIEM rule reads them
without a glossary. The chain also accepts any other snake_case name matching ``ACTION_PATTERN``,
so an app can add an event without editing this module; listing it here gives it a label.
"""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _

ACTION_PATTERN = re.compile(r"^[a-z][a-z0-9_]{2,63}$")


class AuditAction(models.TextChoices):
    AUTHN_LOGIN_SUCCESS = "authn_login_success", _("Signed in")
    AUTHN_LOGIN_FAIL = "authn_login_fail", _("Sign-in failed")
    AUTHN_LOGIN_FAIL_MAX = "authn_login_fail_max", _("Too many failed sign-ins")
    AUTHN_LOGIN_LOCK = "authn_login_lock", _("Account locked after failed sign-ins")
    AUTHN_LOGOUT = "authn_logout", _("Signed out")
    AUTHN_PASSWORD_CHANGE = "authn_password_change", _("Password changed")
    AUTHN_PASSWORD_CHANGE_FAIL = "authn_password_change_fail", _("Password change failed")
    AUTHN_PASSWORD_RESET = "authn_password_reset", _("Password reset")
    AUTHN_TOKEN_CREATED = "authn_token_created", _("API key created")
    AUTHN_TOKEN_REVOKED = "authn_token_revoked", _("API key revoked")
    AUTHN_TOKEN_REUSE = "authn_token_reuse", _("Revoked API key used")
    AUTHN_TOKEN_INVALID = "authn_token_invalid", _("Invalid API key used")
    AUTHZ_FAIL = "authz_fail", _("Access refused")
    AUTHZ_CHANGE = "authz_change", _("Access rights changed")
    AUTHZ_ADMIN = "authz_admin", _("Administrative action")
    USER_CREATED = "user_created", _("User created")
    USER_UPDATED = "user_updated", _("User updated")
    USER_ARCHIVED = "user_archived", _("User archived")
    USER_DELETED = "user_deleted", _("User deleted")
    PRIVILEGE_PERMISSIONS_CHANGED = "privilege_permissions_changed", _("Account level changed")
    SESSION_CREATED = "session_created", _("Session started")
    SESSION_RENEWED = "session_renewed", _("Session renewed")
    SESSION_EXPIRED = "session_expired", _("Session expired")
    SESSION_REVOKED = "session_revoked", _("Session ended by someone else")
    SENSITIVE_CREATE = "sensitive_create", _("Sensitive data created")
    SENSITIVE_READ = "sensitive_read", _("Sensitive data read")
    SENSITIVE_UPDATE = "sensitive_update", _("Sensitive data changed")
    SENSITIVE_DELETE = "sensitive_delete", _("Sensitive data deleted")
    EXCESS_RATE_LIMIT_EXCEEDED = "excess_rate_limit_exceeded", _("Rate limit exceeded")
    INPUT_VALIDATION_FAIL = "input_validation_fail", _("Input refused by validation")
    SYS_STARTUP = "sys_startup", _("System started")
    SYS_SHUTDOWN = "sys_shutdown", _("System stopped")
    SYS_MONITOR_DISABLED = "sys_monitor_disabled", _("Monitoring disabled")
    SYS_MONITOR_ENABLED = "sys_monitor_enabled", _("Monitoring enabled")


def is_valid_action(action: str) -> bool:
    return ACTION_PATTERN.fullmatch(action) is not None
