from tests.fakes import ACCOUNT, REGION
from watchdog.kinds import sagemaker_endpoint_config

PREFIX = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
SUMMARY = {"EndpointConfigName": "cfg", "EndpointConfigArn": f"{PREFIX}:endpoint-config/cfg"}


def test_a_config_for_inference_components_names_no_model_and_uses_none() -> None:
    config = {
        "ProductionVariants": [{"VariantName": "AllTraffic", "InstanceType": "ml.g5.12xlarge"}]
    }

    record = sagemaker_endpoint_config.to_record(ACCOUNT, REGION, SUMMARY, {}, config, {})

    assert record.uses_arns == ()
    assert record.attributes["described"] == "true"


def test_an_unreferenced_config_is_listed_without_its_model_links() -> None:
    record = sagemaker_endpoint_config.to_record(ACCOUNT, REGION, SUMMARY, {}, None, {})

    assert (record.uses_arns, record.attributes["described"]) == ((), "false")


def test_models_resolve_to_their_listed_arns() -> None:
    config = {"ProductionVariants": [{"VariantName": "a", "ModelName": "m"}]}
    models = {"m": f"{PREFIX}:model/m"}

    record = sagemaker_endpoint_config.to_record(ACCOUNT, REGION, SUMMARY, {}, config, models)

    assert record.uses_arns == (f"{PREFIX}:model/m",)
