"""People who sign in to Logitrack.

A user is global: the same person may belong to several tenants through memberships, so the user
row carries no tenant. The e-mail address is the login; it is stored in its canonical form
(``logitrack.core.identity.canonical_email``) and is unique as that exact string.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logitrack.core.crypto.fields import (
    BlindIndexField,
    EncryptedDateField,
    EncryptedPhoneNumberField,
)
from logitrack.core.identity import canonical_email, validate_canonical_email
from logitrack.core.models import register_global_model


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        """The person whose canonical address equals that of ``username``.

        Any spelling of the address signs in (fullwidth, A-label domain, upper case); something
        that is not an address raises ``User.DoesNotExist``, like an unknown address.
        """
        try:
            address = canonical_email(username or "")
        except ValidationError:
            raise self.model.DoesNotExist() from None
        return self.get(email=address)

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        """Raises ``ValidationError`` when ``email`` is not an address (nothing is written)."""
        user = self.model(email=canonical_email(email), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):
    class PlatformRole(models.TextChoices):
        NONE = "", _("None")
        PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
        SECURITY_OFFICER = "security_officer", _("Security officer")

    # Canonical form only (validated on full_clean); unique as the exact string on both databases.
    email = models.EmailField(
        _("email"), max_length=254, unique=True, validators=[validate_canonical_email]
    )
    full_name = models.CharField(_("full name"), max_length=150)
    language = models.CharField(_("language"), max_length=8, default="vi")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Ho_Chi_Minh")
    platform_role = models.CharField(
        _("platform role"), max_length=32, choices=PlatformRole.choices, blank=True, default=""
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    email_verified_at = models.DateTimeField(_("email verified at"), null=True, blank=True)
    phone = EncryptedPhoneNumberField(_("phone number"), key_owner="user", blank=True, default="")
    phone_index = BlindIndexField(_("phone number search index"), source="phone")
    date_of_birth = EncryptedDateField(_("date of birth"), key_owner="user", null=True, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return f"user #{self.pk}"


register_global_model(
    "accounts.user",
    "A person may belong to several tenants; each Membership carries the tenant and the role.",
)


class UserSession(models.Model):
    """One signed-in browser of a person, so that they can list and end their own sessions.

    Only a keyed hash of the session key is stored (the same digest as the session table's, see
    ``accounts.session_store``): this table must not hand out live sessions to whoever reads it.
    A session whose row is gone is refused and flushed on its next request
    (``accounts.middleware.SessionTimeoutMiddleware``), which is how revoking takes effect.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("user")
    )
    key_hash = models.CharField(_("session key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("signed in at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("device"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [
            models.Index(fields=["user", "-last_seen_at"], name="accounts_session_user_seen")
        ]

    def __str__(self) -> str:
        return f"session #{self.pk}"


register_global_model(
    "accounts.usersession",
    "A person's sign-in session is theirs across every tenant they belong to, like the user.",
)
register_global_model(
    "axes.accessattempt",
    "django-axes counts failed sign-ins per e-mail and IP address, before any tenant is known.",
)
register_global_model(
    "axes.accessattemptexpiration",
    "django-axes' expiry time of one counted attempt; failed sign-ins precede any tenant.",
)
register_global_model(
    "axes.accesslog",
    "django-axes' sign-in log (disabled by AXES_DISABLE_ACCESS_LOG); holds no tenant data.",
)
register_global_model(
    "axes.accessfailurelog",
    "django-axes' failure log (disabled by default); failed sign-ins precede any tenant.",
)


register_global_model(
    "django_tasks_database.dbtaskresult",
    "The job queue of django-tasks-db; a task names the tenant in its arguments when it has one.",
)
register_global_model(
    "django_rq.dashboard",
    "django-rq's placeholder for its admin page (unmanaged, no table), present with REDIS_URL.",
)
