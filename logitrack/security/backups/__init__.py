"""Encrypted backups of the whole database (issue P8 point 5; docs/adr/0055).

``format`` is the encrypted file format, ``engines`` dumps, restores and checksums SQLite and
PostgreSQL, ``services`` runs create, list, verify, restore and prune and keeps the manifests.
"""
