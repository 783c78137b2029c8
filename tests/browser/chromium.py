"""Debian's chromium with a private NSS database that trusts Logitrack's local CA.

Chromium on Linux reads trusted roots from ``$HOME/.pki/nssdb``; giving it a temporary HOME whose
database holds the CA is what a person does when they import the CA, so certificate checking stays
fully on. Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, Playwright

CHROMIUM = Path("/usr/bin/chromium")
CA_NICKNAME = "logitrack-local-ca"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = (
    "install Debian's chromium and libnss3-tools (`make test-browser` does, through "
    ".ci/browser-deps: apt-get install chromium chromium-driver libnss3-tools fonts-noto-core)"
)


def in_ci() -> bool:
    """Whether a missing browser must fail the run: under CI, and always under make test-browser."""
    flags = (os.environ.get("CI", ""), os.environ.get("LOGITRACK_BROWSER_REQUIRED", ""))
    return any(flag.strip().lower() in {"1", "true", "yes"} for flag in flags)


@dataclass(frozen=True)
class BrowserTools:
    chromium: Path
    certutil: Path


def find_browser_tools() -> tuple[BrowserTools | None, str]:
    """Debian's chromium and NSS certutil, or None and what is missing."""
    certutil = shutil.which("certutil")
    missing = []
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        missing.append(str(CHROMIUM))
    if certutil is None:
        missing.append("certutil")
    if missing or certutil is None:
        return None, f"{' and '.join(missing)} not found: {INSTALL_HINT}"
    return BrowserTools(chromium=CHROMIUM, certutil=Path(certutil)), ""


def make_nss_home(certutil: Path, home: Path, ca_file: Path | None) -> Path:
    """A HOME whose fresh NSS database (``~/.pki/nssdb``) trusts ``ca_file`` for TLS servers."""
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    database = f"sql:{nssdb}"
    subprocess.run([str(certutil), "-N", "--empty-password", "-d", database], check=True)
    if ca_file is not None:
        trust = ["-n", CA_NICKNAME, "-t", "C,,", "-i", str(ca_file)]
        subprocess.run([str(certutil), "-A", *trust, "-d", database], check=True)
        listed = subprocess.run(
            [str(certutil), "-L", "-d", database], check=True, capture_output=True, text=True
        ).stdout
        assert CA_NICKNAME in listed, listed
    return home


def launch_chromium(playwright: Playwright, tools: BrowserTools, home: Path) -> Browser:
    return playwright.chromium.launch(
        executable_path=str(tools.chromium),
        args=CHROMIUM_ARGS,
        env={**os.environ, "HOME": str(home)},
    )
