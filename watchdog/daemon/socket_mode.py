"""Slack clicks over Socket Mode: an outbound WebSocket, so a daemon behind a firewall needs no
public URL. Each envelope is acknowledged first (Slack's 3 seconds), then handed on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from watchdog.notify.slack import bypasses_proxy

log = structlog.get_logger(__name__)


def connect_socket_mode(
    app_token: str, api_url: str, on_click: Callable[[dict[str, Any]], None]
) -> SocketModeClient:
    web = WebClient(base_url=api_url)
    client = SocketModeClient(app_token=app_token, web_client=web)
    if bypasses_proxy(api_url):  # slack_sdk takes HTTPS_PROXY but ignores NO_PROXY
        web.proxy = None
        client.proxy = None

    def listener(client: BaseSocketModeClient, request: SocketModeRequest) -> None:
        client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))
        if request.type == "interactive":
            on_click(request.payload)

    client.socket_mode_request_listeners.append(listener)
    client.connect()
    log.info("socket mode connected")
    return client
