"""The plan's cost column: a figure, `?` when unknown, and "with its endpoint" when so."""

from __future__ import annotations

from io import StringIO

from rich.console import Console

from tests.unit.evaluate.factories import endpoint
from watchdog.cli.render_plan import _findings_table
from watchdog.findings import Evidence, Finding
from watchdog.kinds.sagemaker_inference_component import SPEC as COMPONENT


def finding(cost: float | None, source: str) -> Finding:
    return Finding.model_validate(
        {
            "id": "f-1",
            "resource": endpoint("e"),
            "policy": "idle",
            "action": "notify",
            "reason": "idle",
            "evidence": Evidence(),
            "monthly_cost_usd": cost,
            "cost_basis": "unknown" if cost is None else "price-list",
            "cost_source": source,
            "confidence": "high",
        }
    )


def cost_cell(one: Finding) -> str:
    buffer = StringIO()
    Console(file=buffer, width=200).print(_findings_table([one]))
    body = buffer.getvalue().splitlines()[4:]  # title, borders, header
    return " ".join(line.split("│")[1].strip() for line in body if "│" in line).strip()


def test_a_cost_billed_with_the_endpoint_says_so_instead_of_a_question_mark() -> None:
    assert COMPONENT.billed_through is not None
    component = endpoint("ic").model_copy(update={"kind": COMPONENT.kind})
    billed = finding(None, COMPONENT.billed_through.reason).model_copy(
        update={"resource": component}
    )
    assert cost_cell(billed) == "with its endpoint"


def test_an_unknown_cost_is_still_a_question_mark_and_a_known_one_a_figure() -> None:
    assert cost_cell(finding(None, "no price known for ml.x notebooks in us-east-1")) == "?"
    assert cost_cell(finding(1106.0, "AWS Price List API")) == "$1,106"


def test_at_80_columns_every_cell_is_shown_whole_wrapped_not_cut() -> None:
    long = finding(5295.42, "AWS Price List API").model_copy(
        update={
            "resource": endpoint("llama3-8b-chat-poc-with-a-long-name"),
            "policy": "idle-inference-components",
            "action": "delete",
            "reason": "served no requests for 7 days (0 invocations since 2026-11-25)",
        }
    )
    buffer = StringIO()
    Console(file=buffer, width=80).print(_findings_table([long]))
    text = buffer.getvalue()

    assert "…" not in text
    body = [line.split("│")[1:-1] for line in text.splitlines() if line.startswith("│")]
    columns = ["".join(row[i].strip() for row in body) for i in range(len(body[0]))]
    cost, action, resource, _, policy, reason = columns
    assert (cost, action) == ("$5,295", "delete")
    assert resource.startswith("llama3-8b-chat-poc-with-a-long-name")
    assert policy.startswith("idle-inference-components")
    assert reason.endswith("invocationssince2026-11-25)")
