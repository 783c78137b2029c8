"""System checks of the logistics app."""

from __future__ import annotations
