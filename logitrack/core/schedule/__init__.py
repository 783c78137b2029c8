"""Periodic jobs (docs/adr/0038): apps declare them with :func:`periodic`; the scheduler that
``logitrack serve`` supervises beside the job worker enqueues each once per period."""

from __future__ import annotations

from logitrack.core.schedule.registry import Job, jobs, periodic

__all__ = ["Job", "jobs", "periodic"]
