"""slack_sdk takes HTTPS_PROXY from the environment but not NO_PROXY: the senders skip the proxy
for loopback and NO_PROXY hosts themselves."""

from __future__ import annotations

import pytest

from watchdog.notify.slack import BotSender, bypasses_proxy


def test_loopback_and_no_proxy_hosts_bypass_the_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "slack-stub.internal")

    assert bypasses_proxy("http://127.0.0.1:8080/api/")
    assert bypasses_proxy("http://localhost/api/")
    assert bypasses_proxy("https://slack-stub.internal/api/")
    assert not bypasses_proxy("https://slack.com/api/")


def test_a_bot_for_real_slack_keeps_the_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    assert BotSender("xoxb-1").client.proxy == "http://proxy.internal:3128"
    assert BotSender("xoxb-1", "http://127.0.0.1:9/api/").client.proxy is None
