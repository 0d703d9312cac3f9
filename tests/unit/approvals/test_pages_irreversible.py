"""What a person sees before approving: the review page and the Slack alert say which deletes
`ai-watchdog restore` cannot undo, with each kind's reason."""

from __future__ import annotations

from tests.unit.act.test_admission_rules import finding
from tests.unit.evaluate.factories import NOW
from watchdog.approvals.pages import confirm_page
from watchdog.findings import Irreversible
from watchdog.notify.blocks import finding_message

FINAL = Irreversible(
    what="opensearch-serverless-collection rag-vectors",
    why="a deleted collection cannot be restored: its indexes (the vectors) are gone",
)


def test_the_review_page_lists_what_cannot_be_undone_and_why() -> None:
    page = confirm_page(finding().model_copy(update={"irreversible": (FINAL,)}), "delete", NOW)
    assert "<h2>Cannot be undone by restore</h2>" in page
    assert "opensearch-serverless-collection rag-vectors: a deleted collection cannot" in page


def test_a_page_with_nothing_final_says_nothing_of_it() -> None:
    assert "Cannot be undone" not in confirm_page(finding(), "delete", NOW)


def test_the_slack_alert_names_what_cannot_be_undone() -> None:
    message = finding_message(finding().model_copy(update={"irreversible": (FINAL,)}))
    context = str(message.blocks)
    assert "cannot be undone by restore: opensearch-serverless-collection rag-vectors" in context
