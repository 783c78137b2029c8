"""Field encryption: AES-256-GCM values under per-owner data keys wrapped by a master keyring.

- ``fields``: ``EncryptedTextField``, ``EncryptedPhoneNumberField``, ``EncryptedDateField`` and
  ``BlindIndexField``; ``lookups``: exact matches through the blind index.
- ``api``: ``reveal()``, ``blind_index()`` and ``prefetch_data_keys()``.
- ``keyring``: the master keys, read from the environment or a key file, never the database.
- ``models``: ``DataKey``, the wrapped data keys (one ring of versions per tenant or person);
  ``store``: creating, wrapping and caching them; ``tokens``: the stored ciphertext format.
- ``services``: rotation, re-wrapping under a new master key, and key destruction.

Decisions and their costs: docs/adr/0005-field-encryption.md. This package module imports nothing,
so that the settings can import ``keyring`` before Django is set up.
"""
