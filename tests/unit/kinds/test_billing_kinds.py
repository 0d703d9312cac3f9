from datetime import UTC, datetime

from tests.fakes import ACCOUNT, REGION
from watchdog.kinds import bedrock_provisioned_throughput, sagemaker_notebook_instance

PT_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:provisioned-model/abc123"


def throughput(**fields: object) -> dict[str, object]:
    return {
        "provisionedModelName": "pt",
        "provisionedModelArn": PT_ARN,
        "modelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1",
        "modelUnits": 2,
        "status": "InService",
        **fields,
    }


def test_throughput_with_a_commitment_is_committed_until_its_expiry() -> None:
    expiry = datetime(2027, 5, 1, tzinfo=UTC)
    record = bedrock_provisioned_throughput.to_record(
        ACCOUNT,
        REGION,
        throughput(commitmentDuration="SixMonths", commitmentExpirationTime=expiry),
        {},
    )
    assert record.billing.mode == "committed"
    assert record.billing.committed_until == expiry
    assert record.instance_count == 2
    assert record.uses_arns == (throughput()["modelArn"],)


def test_throughput_without_commitment_bills_on_demand() -> None:
    record = bedrock_provisioned_throughput.to_record(ACCOUNT, REGION, throughput(), {})
    assert record.billing.mode == "on-demand"


def test_a_stopped_notebook_still_bills_its_volume() -> None:
    summary = {
        "NotebookInstanceName": "nb",
        "NotebookInstanceArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:notebook-instance/nb",
        "NotebookInstanceStatus": "Stopped",
        "InstanceType": "ml.t3.medium",
    }
    record = sagemaker_notebook_instance.to_record(ACCOUNT, REGION, summary, {})
    assert (record.billing.mode, record.instance_count) == ("storage", 0)
