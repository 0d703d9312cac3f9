"""The sandbox Slack's workspace itself: the users, channels and user groups it knows, the messages
in it, and what the Web API's message and directory methods, the incoming webhook and a
response_url do to them.

`slack_api.SlackApi` owns one and is what tests hold. It keeps what is about reaching the
workspace (tokens, staged failures, the record of calls, the server and Socket Mode) and calls in
here one request at a time under its lock, so nothing here locks. Apart from it so that Slack's
rules for messages read in one place, and each file stays small. Standard library only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from watchdog_sandbox import slack_wire as wire
from watchdog_sandbox.slack_wire import Params

TEAM_ID = "T000"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
WEBHOOK_CHANNEL = "webhook"  # an incoming webhook posts to the channel it was made for
# A ts is Slack's message id, "seconds.micros". Messages are 100 us apart from a fixed start:
# unique, increasing, and the same from run to run.
_FIRST_TS_MICROS = 1_764_000_000_000_100
_TS_STEP_MICROS = 100
# Slack's ids are upper-case; channel names are lower-case, so the two cannot be confused.
_CONVERSATION_ID = re.compile(r"[CDG][A-Z0-9]{2,}")
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")


@dataclass(frozen=True)
class Posted:
    """A message as it stands now. `updates` counts chat.update calls and replacing response_url
    posts. A response_url's in-channel reply is the app speaking, so it counts as via "bot"."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    updates: int = 0
    via: Literal["bot", "webhook"] = "bot"
    thread_ts: str | None = None  # a reply in this message's thread


class Workspace:
    """The directory (`users`, `channels`, `groups`, as `SlackApi` takes them) and the messages.

    The Web API methods take their parameters and answer Slack's JSON; the webhook and
    response_url answer whole HTTP answers, since theirs are not the Web API's. An unreadable
    `blocks` raises `wire.BadRequest`, which the caller answers.
    """

    def __init__(
        self,
        users: Mapping[str, str] | None,
        channels: Mapping[str, str] | None,
        groups: Mapping[str, Sequence[str]] | None,
    ) -> None:
        self._users = {email.lower(): user for email, user in (users or {}).items()}
        self._channels = {name.removeprefix("#"): id_ for name, id_ in (channels or {}).items()}
        self._groups = {group: list(members) for group, members in (groups or {}).items()}
        self._messages: dict[tuple[str, str], Posted] = {}
        self._posted = 0

    def messages(self) -> list[Posted]:
        return list(self._messages.values())

    def message(self, channel: str, ts: str) -> Posted | None:
        return self._messages.get((channel, ts))

    # -- the Web API

    def auth_test(self, params: Params) -> Params:
        return {
            "ok": True,
            "url": "https://sandbox.slack.com/",
            "team": "Sandbox",
            "user": "ai-watchdog",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def post_message(self, params: Params) -> Params:
        channel = wire.string(params.get("channel"))
        if not channel:
            return wire.error_payload("channel_not_found")
        content = wire.read_content(params)
        if content is None:
            return wire.error_payload("no_text")
        thread = wire.string(params.get("thread_ts")) or None
        posted = self._add(
            Posted(self._channel_id(channel), self._next_ts(), *content, thread_ts=thread)
        )
        return {
            "ok": True,
            "channel": posted.channel,
            "ts": posted.ts,
            "message": _message_json(posted),
        }

    def update(self, params: Params) -> Params:
        key = (wire.string(params.get("channel")), wire.string(params.get("ts")))
        current = self._messages.get(key)
        if current is None:
            return wire.error_payload("message_not_found")
        if "text" not in params and "blocks" not in params:
            return wire.error_payload("no_text")
        # What the call leaves out, the message keeps (Slack documents this for blocks).
        updated = replace(
            current,
            text=wire.string(params["text"]) if "text" in params else current.text,
            blocks=wire.read_blocks(params["blocks"]) if "blocks" in params else current.blocks,
            updates=current.updates + 1,
        )
        self._messages[key] = updated
        return {
            "ok": True,
            "channel": updated.channel,
            "ts": updated.ts,
            "text": updated.text,
            "message": _message_json(updated),
        }

    def usergroup_members(self, params: Params) -> Params:
        members = self._groups.get(wire.string(params.get("usergroup")))
        if members is None:
            return wire.error_payload("no_such_subteam")
        return {"ok": True, "users": list(members)}

    def lookup_by_email(self, params: Params) -> Params:
        email = wire.string(params.get("email"))
        user_id = self._users.get(email.lower())
        if user_id is None:
            return wire.error_payload("users_not_found")
        user = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": email.partition("@")[0],
            "profile": {"email": email},
        }
        return {"ok": True, "user": user}

    # -- hooks

    def webhook(self, params: Params) -> wire.Answer:
        content = wire.read_content(params)
        if content is None:
            return wire.text_answer("invalid_payload", 400)
        self._add(Posted(WEBHOOK_CHANNEL, self._next_ts(), *content, via="webhook"))
        return wire.text_answer("ok")

    def response_url(self, key: tuple[str, str], params: Params) -> wire.Answer:
        original = self._messages.get(key)
        if original is None:
            return wire.json_answer(wire.error_payload("message_not_found"), 404)
        if wire.flag(params.get("delete_original")):
            del self._messages[key]
            return wire.json_answer({"ok": True})
        content = wire.read_content(params)
        if content is None:
            return wire.json_answer(wire.error_payload("invalid_payload"), 400)
        text, blocks = content
        if wire.flag(params.get("replace_original")):
            # Unlike chat.update, a replacement is the whole message: what it omits is gone.
            self._messages[key] = replace(
                original, text=text, blocks=blocks, updates=original.updates + 1
            )
        elif params.get("response_type") == "in_channel":
            self._add(Posted(original.channel, self._next_ts(), text, blocks))
        # Otherwise an ephemeral reply: only the clicker sees it, the channel does not change.
        return wire.json_answer({"ok": True})

    # -- state

    def _add(self, posted: Posted) -> Posted:
        self._messages[(posted.channel, posted.ts)] = posted
        return posted

    def _next_ts(self) -> str:
        micros = _FIRST_TS_MICROS + self._posted * _TS_STEP_MICROS
        self._posted += 1
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _channel_id(self, channel: str) -> str:
        name = channel.removeprefix("#")
        if name in self._channels:
            return self._channels[name]
        if _USER_ID.fullmatch(name):
            return "D" + name[1:]  # posting to a user opens (or reuses) the DM with them
        if _CONVERSATION_ID.fullmatch(name):
            return name
        return "C" + hashlib.sha256(name.encode()).hexdigest()[:10].upper()


def _message_json(posted: Posted) -> Params:
    return {
        "type": "message",
        "text": posted.text,
        "blocks": posted.blocks,
        "ts": posted.ts,
        "bot_id": BOT_ID,
    }
