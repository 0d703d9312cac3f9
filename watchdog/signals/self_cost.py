"""What one run of the watchdog adds to the AWS bill it watches: the requests that are billed
by the request or by what they ask for. The other calls it makes (lists, describes, tags) are
free. At us-east-1 list prices, without free tiers (an account's other use takes those first):

- CloudWatch GetMetricData: $0.01 per 1,000 metrics requested, each query of a metric
  counting once (https://aws.amazon.com/cloudwatch/pricing/, "API" tab);
- CloudWatch's other API requests (ListMetrics here): $0.01 per 1,000 requests, after the
  first million a month;
- Cost Explorer API: $0.01 per paginated request
  (https://aws.amazon.com/aws-cost-management/aws-cost-explorer/pricing/);
- Lambda, in the Lambda: $0.0000166667 per GB-second on x86, $0.20 per million requests
  (https://aws.amazon.com/lambda/pricing/), added by the handler, which knows its memory.

The AWS Price List calls are counted, not priced: they are cached for a day and few.
"""

from __future__ import annotations

from pydantic import BaseModel

GET_METRIC_DATA_PER_METRIC = 0.01 / 1000
CLOUDWATCH_PER_REQUEST = 0.01 / 1000
COST_EXPLORER_PER_REQUEST = 0.01
LAMBDA_PER_GB_SECOND = 0.0000166667
LAMBDA_PER_REQUEST = 0.20 / 1_000_000
HOURS_PER_MONTH = 730


class SelfCost(BaseModel):
    metrics_requested: int
    cloudwatch_requests: int  # ListMetrics and other CloudWatch requests billed per request
    cost_explorer_requests: int
    pricing_calls: int  # counted, not priced
    lambda_gb_seconds: float = 0.0
    usd: float

    def with_lambda(self, gb_seconds: float, requests: int = 1) -> SelfCost:
        """The same run with the Lambda's own time and invocations on the bill too."""
        return self_cost(
            self.metrics_requested,
            self.cloudwatch_requests,
            self.cost_explorer_requests,
            self.pricing_calls,
            lambda_gb_seconds=self.lambda_gb_seconds + gb_seconds,
            lambda_requests=requests,
        )

    def per_month(self, runs_per_hour: float = 1.0) -> float:
        """What a month of such runs costs, at `runs_per_hour` (an hourly schedule: 1)."""
        return self.usd * runs_per_hour * HOURS_PER_MONTH


def self_cost(
    metrics_requested: int,
    cloudwatch_requests: int,
    cost_explorer_requests: int,
    pricing_calls: int,
    lambda_gb_seconds: float = 0.0,
    lambda_requests: int = 0,
) -> SelfCost:
    usd = (
        metrics_requested * GET_METRIC_DATA_PER_METRIC
        + cloudwatch_requests * CLOUDWATCH_PER_REQUEST
        + cost_explorer_requests * COST_EXPLORER_PER_REQUEST
        + lambda_gb_seconds * LAMBDA_PER_GB_SECOND
        + lambda_requests * LAMBDA_PER_REQUEST
    )
    return SelfCost(
        metrics_requested=metrics_requested,
        cloudwatch_requests=cloudwatch_requests,
        cost_explorer_requests=cost_explorer_requests,
        pricing_calls=pricing_calls,
        lambda_gb_seconds=round(lambda_gb_seconds, 3),
        usd=round(usd, 6),
    )
