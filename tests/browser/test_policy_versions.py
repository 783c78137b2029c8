"""Policy versions in chromium: Logitrack's privacy officer publishes a material version 2; a
signed-in person is asked to accept it at their next page, reads what changed, accepts and goes
on; the archive still serves version 1.

A published material version interrupts every signed-in person of its server for good, so this
journey runs against a server of its own, never the session's shared one.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import _server  # bench/_server.py, put on sys.path by conftest.py
import pytest
from playwright.sync_api import Browser, Page, Playwright

from .chromium import BrowserTools, launch_chromium, make_nss_home
from .journeys import PASSWORD, desktop_context, goto, sign_in, sign_up, submit, unique_email

pytestmark = pytest.mark.browser

OFFICER_EMAIL = "privacy.officer@logitrack.example.vn"
ADD_OFFICER = """
from logitrack.accounts.models import User
User.objects.create_user(email={email!r}, password={password!r},
                         full_name="Trần Thị Bảo Mật", platform_role="privacy_officer")
"""


@pytest.fixture(scope="module")
def policy_server(
    browser_tools: BrowserTools, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[_server.RunningServer]:
    data_dir = tmp_path_factory.mktemp("logitrack-policy-data")
    _server.prepare(data_dir)
    https_port, http_port = _server.free_ports(2)
    server = _server.start(
        data_dir,
        https_port=https_port,
        http_port=http_port,
        extra_env={"LOGITRACK_PUBLIC_URL": f"https://127.0.0.1:{https_port}"},
    )
    yield server
    # Its own server on a shared, loaded machine: stopping the worker may take longer.
    code = server.stop(timeout=4 * _server.STOP_TIMEOUT_S)
    log = server.log()
    assert code == 0, f"logitrack serve exited {code} after SIGINT:\n{log}"
    assert "Traceback" not in log, f"logitrack serve logged a traceback:\n{log}"


@pytest.fixture(scope="module")
def policy_browser(
    playwright_driver: Playwright,
    browser_tools: BrowserTools,
    policy_server: _server.RunningServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Browser]:
    home = make_nss_home(
        browser_tools.certutil, tmp_path_factory.mktemp("chromium-policy"), policy_server.ca_file
    )
    browser = launch_chromium(playwright_driver, browser_tools, home)
    yield browser
    browser.close()


def _add_officer(data_dir: Path) -> None:
    subprocess.run(
        [
            str(_server.LOGITRACK),
            "shell",
            "-c",
            ADD_OFFICER.format(email=OFFICER_EMAIL, password=PASSWORD),
        ],
        env=_server.server_env(data_dir),
        check=True,
        capture_output=True,
        timeout=120,
    )


def _publish_material_version_2(page: Page, base: str) -> None:
    sign_in(page, base, OFFICER_EMAIL)
    goto(page, f"{base}/staff/privacy/policies/")
    submit(page, "Soạn phiên bản mới")
    assert page.url == f"{base}/staff/privacy/policies/2/"
    material = page.locator("#id_material")
    assert not material.is_checked()
    page.fill("#id_summary", "Thêm mục 12 về cookie phân tích.")
    material.check()
    body_vi = page.locator("#id_body_vi")
    body_vi.fill(body_vi.input_value() + "\n\n## 12. Cookie phân tích\n\nChỉ khi bạn đồng ý.")
    body_en = page.locator("#id_body_en")
    body_en.fill(body_en.input_value() + "\n\n## 12. Analytics cookies\n\nOnly with consent.")
    submit(page, "Lưu bản nháp")
    assert "Đã lưu bản nháp." in page.content()
    submit(page, "Công bố phiên bản 2")
    assert page.url == f"{base}/staff/privacy/policies/"
    assert "Đã công bố phiên bản 2." in page.content()


def test_a_material_version_is_accepted_at_the_next_visit_and_the_archive_keeps_version_1(
    policy_browser: Browser, policy_server: _server.RunningServer
) -> None:
    base = policy_server.https_url
    _add_officer(policy_server.data_dir)
    person_context = desktop_context(policy_browser)
    officer_context = desktop_context(policy_browser)
    try:
        person = person_context.new_page()
        address = unique_email("policy")
        signed_up = sign_up(
            person,
            base,
            email_address=address,
            company="Công ty TNHH Vận tải Hòa Bình",
            name="Lê Văn Bình",
        )
        assert signed_up.ok
        sign_in(person, base, address)
        goto(person, f"{base}/account/")
        assert person.url == f"{base}/account/"

        _publish_material_version_2(officer_context.new_page(), base)

        goto(person, f"{base}/account/")
        assert re.fullmatch(rf"{re.escape(base)}/privacy/policy/accept/\?next=.*", person.url)
        assert person.get_by_role("heading", name="Chính sách quyền riêng tư đã thay đổi").count()
        assert "Thêm mục 12 về cookie phân tích." in person.content()
        assert person.locator("main input[type=checkbox]").count() == 0
        with person.expect_navigation():
            person.locator("[data-diff-previous]").click()
        assert person.locator("ins", has_text="Cookie").count() >= 1
        person.go_back()
        submit(person, "Tôi chấp nhận phiên bản 2 của chính sách quyền riêng tư")
        assert person.url == f"{base}/account/"
        assert "lần chấp nhận chính sách quyền riêng tư của bạn đã được lưu" in person.content()
        goto(person, f"{base}/")
        assert "/privacy/policy/accept/" not in person.url

        goto(person, f"{base}/privacy/policy/versions/")
        assert person.locator('tr[data-version="1"]').count() == 1
        with person.expect_navigation():
            person.locator('tr[data-version="1"] a', has_text="Phiên bản 1").click()
        assert person.url == f"{base}/privacy/policy/v/1/"
        assert "7 ngày làm việc" in person.content()
        assert "Cookie phân tích" not in person.content()
    finally:
        person_context.close()
        officer_context.close()
