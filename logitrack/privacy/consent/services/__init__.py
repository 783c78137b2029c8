"""Writes of the consent app: the ledger (``consents``), declared purposes (``purposes``) and
marketing messages (``marketing``). Each is atomic and audited in the same transaction."""
