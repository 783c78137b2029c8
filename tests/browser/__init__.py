"""Browser tests: headless Debian chromium against the real HTTPS server (pytest -m browser)."""
