"""Date and time formats per language (settings.FORMAT_MODULE_PATH), replacing Django's own.

Vietnamese: day/month/year and the 24-hour clock, as Vietnamese readers write them (29/11/2026
14:05). English: day, abbreviated month name, year and the 24-hour clock (29 Nov 2026 14:05),
which no reader can take for month/day, unlike Django's US-style "Nov. 29, 2026, 2:05 p.m.".
Decision: docs/adr/0016-every-journey-in-chromium.md.
"""
