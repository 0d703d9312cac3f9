"""How Bedrock provisioned throughput is found in the AWS Price List (service code AmazonBedrock).

What is seen, and where:
- Provisioned throughput products carry a usage type
  `<region prefix>-<model>-ProvisionedThroughput-<term>-ModelUnits`, priced per model unit and
  hour: "USE1-Nova2.0Lite-ProvisionedThroughput-NoCommit-ModelUnits" ($60.50) and
  "...-1month-ModelUnits" ($55.00) in a public note quoting `aws pricing get-products
  --service-code AmazonBedrock` for amazon.nova-2-lite-v1:0:256k;
  "USW2-Llama3-1-70B-ProvisionedThroughput-NoCommit-ModelUnits" ($24.00) in another; and
  "USE1-Qwen3-32B-ProvisionedThroughput-NoCommit-ModelUnits" with `feature` "Provisioned
  Throughput Inference - no commit" and unit "hour" in scttfrdmn/cultivar's recorded
  AmazonBedrock rows (internal/bedrock), whose pricing.go also notes that `regionCode` filters
  AmazonBedrock products (undocumented, but honoured) and that productFamily is null on them.
  A feature "Provisioned Throughput Inference - 1 month" appears in another project's fixtures.
- aws-samples' bedrock-model-profiler (sample-bedrock-migration-and-modernization-tools) reads
  the term from the usage type the same way ("nocommit", "1month", "6months").
- The model part of the usage type is the price list's own short name, not the model id: the
  `model` attribute of Titan products is the generic "Amazon Bedrock", and their on-demand usage
  types name "TitanTextG1-Express", "TitanTextG1-Lite" (a public script reading the
  AmazonBedrock bulk offer file maps these to the Titan Text G1 models).

Inferred, not seen: the 6-month spelling ("-6month" or "-6months"; both are accepted), that a
Titan Text model's provisioned throughput uses the same short name as its on-demand usage types,
and that a custom model's throughput bills at its base model's rate. A base model without a
known short name is not asked about (its price is unknown); a product the filters miss is
unknown, never guessed. `CONTAINS` is a GetProducts filter type in the Price List API model
("the field value contains the provided value as a substring").
"""

from __future__ import annotations

from collections.abc import Mapping

from watchdog.kinds._prices import in_region
from watchdog.signals.models import PriceComponentSpec, PriceFilters, PriceKey

SERVICE_CODE = "AmazonBedrock"
ONE_MONTH, SIX_MONTHS = "1-month commitment", "6-month commitment"
# CreateProvisionedModelThroughput's commitmentDuration -> the key's term. None: no commitment.
_TERMS = {"OneMonth": ONE_MONTH, "SixMonths": SIX_MONTHS}
# The key's term -> (a part of the usage type, a part of the `feature`) naming it, lower case.
_TERM_MARKERS: dict[str | None, tuple[str, str]] = {
    None: ("-nocommit-", "- no commit"),
    ONE_MONTH: ("-1month", "- 1 month"),
    SIX_MONTHS: ("-6month", "- 6 month"),
}
# A base model id (without its ":0", ":0:8k" version/context suffix) -> the price list's short
# name in usage types (see the module docstring for which pairs are seen and which inferred).
PRICE_LIST_MODELS: dict[str, str] = {
    "amazon.titan-text-express-v1": "TitanTextG1-Express",
    "amazon.titan-text-lite-v1": "TitanTextG1-Lite",
    "amazon.titan-image-generator-v1": "TitanImageGeneratorG1",
    "amazon.nova-2-lite-v1": "Nova2.0Lite",
    "meta.llama3-1-70b-instruct-v1": "Llama3-1-70B",
    "qwen.qwen3-32b-v1": "Qwen3-32B",
}


def commitment_term(duration: str | None) -> str | None:
    """The key's term for a throughput's commitmentDuration; an unknown one is kept as it is,
    so that it matches no product rather than the no-commitment price."""
    if not duration:
        return None
    return _TERMS.get(duration, f"{duration} commitment")


def price_list_model(base_model_id: str) -> str | None:
    return PRICE_LIST_MODELS.get(base_model_id.split(":", 1)[0])


def throughput_filters(key: PriceKey) -> PriceFilters | None:
    """Every provisioned throughput product of the key's base model in its region; the term is
    chosen among them by `accepts_term`."""
    model = price_list_model(key.unit)
    if model is None:
        return None
    return [
        in_region(key),
        {"Type": "CONTAINS", "Field": "usagetype", "Value": f"-{model}-ProvisionedThroughput-"},
    ]


def accepts_term(key: PriceKey, attributes: Mapping[str, str]) -> bool:
    """Whether a product is the key's commitment term, by its usage type or its feature."""
    markers = _TERM_MARKERS.get(key.term)
    if markers is None:
        return False
    usage, feature = markers
    if usage in str(attributes.get("usagetype", "")).lower():
        return True
    text = str(attributes.get("feature", "")).lower()
    return "provisioned throughput" in text and feature in text


PROVISIONED_THROUGHPUT_PRICES = PriceComponentSpec(
    # Per model unit-hour; the key's unit is the base model id, its term the commitment.
    name="bedrock-provisioned-throughput",
    words="Bedrock provisioned throughput for {unit}",
    service_code=SERVICE_CODE,
    filters=throughput_filters,
    accepts=accepts_term,
    # No fallback: the hourly price per model unit depends on the model and on the commitment
    # term, and no citable figure was found for the demo's base model (amazon.titan-text-
    # express-v1); the public figures seen are for other models (Nova 2 Lite, Llama 3.1 70B),
    # so none is shipped rather than one invented.
)
