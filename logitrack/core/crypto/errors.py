"""What can go wrong when reading or writing an encrypted value, one type per thing a caller can do.

``EncryptedValueUnavailable``: the key that sealed the value is gone (destroyed with its tenant or
person, wiped after a rotation, never linked to its row). Nothing will bring the value back; a
page shows it as unavailable.

``CiphertextInvalid``: the stored value is not what this row's key sealed in this column: it was
altered, truncated, or copied from another row or column. That is an integrity failure and is
never hidden.

``EncryptionKeyDestroyed``: a new value was written for an owner whose key was destroyed. The
owner's data was erased on purpose; writing more of it is refused.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class CryptoError(Exception):
    """Base of the field-encryption errors."""


class EncryptedValueUnavailable(CryptoError):
    """The value cannot be decrypted because its key no longer exists.

    ``reason`` is a stable code: ``key_destroyed``, ``key_missing`` or ``key_pending``.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(str(_("This value is no longer available: its key was destroyed.")))
        self.reason = reason


class CiphertextInvalid(EncryptedValueUnavailable):
    """The stored value was altered or copied from another row or column."""

    def __init__(self, reason: str) -> None:
        CryptoError.__init__(
            self, str(_("This encrypted value was altered or belongs to another record."))
        )
        self.reason = reason


class EncryptionKeyDestroyed(CryptoError):
    """Refused: the owner's key was destroyed, so no new value may be stored for it."""

    def __init__(self, owner: str) -> None:
        super().__init__(
            str(_("The encryption key of %(owner)s was destroyed; its data cannot be stored."))
            % {"owner": owner}
        )
        self.owner = owner


class MasterKeyMissing(CryptoError):
    """A data key is wrapped under a master key that is not in the configured keyring."""

    def __init__(self, master_key_id: str) -> None:
        super().__init__(
            str(_("The master key %(id)s is not configured; add it back to the keyring."))
            % {"id": master_key_id}
        )
        self.master_key_id = master_key_id
