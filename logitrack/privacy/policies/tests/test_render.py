"""The policy's markdown becomes HTML with every raw tag escaped."""

from __future__ import annotations

from logitrack.privacy.policies.render import policy_html


def test_headings_lists_and_bold_are_rendered() -> None:
    html = policy_html("## 2. Data\n\n- **People:** names\n")

    assert html == "<h2>2. Data</h2>\n<ul>\n<li><strong>People:</strong> names</li>\n</ul>\n"


def test_raw_html_and_script_links_are_not_passed_through() -> None:
    html = policy_html('<script>x()</script>\n\n[a](javascript:x()) <b onclick="x()">b</b>')

    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert "<b " not in html
