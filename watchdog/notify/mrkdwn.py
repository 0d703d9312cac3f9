"""Text from AWS (names, tags, reasons that quote them) as Slack shows it, never as markup.

Slack reads `<...>` in mrkdwn (and in a message's top-level text) as a link, a mention or a
special command (`<!channel>`, `<!here>`), and `&` starts an entity. Its formatting reference
says to escape exactly these three - "&" as "&amp;", "<" as "&lt;", ">" as "&gt;" - and nothing
else ("Escaping text", Slack API docs). Everything here that did not come from this program
(a resource's name, an owner tag, a reason that quotes one) passes through `escape`; the
mentions and links this program makes itself (`<@U123>`, `<url|Review>`) are added after.
SageMaker and Bedrock tag values cannot hold `<` or `>` on AWS, but names, approvers' names and
whatever else may; the escaping does not depend on AWS refusing them.
"""

from __future__ import annotations

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape(text: str) -> str:
    return text.translate(_ESCAPES)
