"""The DynamoDB table the store needs: one table, on-demand, TTL on `expires_at`.

Kept as data (TABLE_DEFINITION) so template.yaml can be checked against it, and used by
`create_table` for tests, the sandbox and anyone not deploying with SAM. The key design lives
in watchdog.store.dynamodb.keys.
"""

from __future__ import annotations

from typing import Any

TTL_ATTRIBUTE = "expires_at"
# A sparse index: only step records carry its keys, so list_steps(finding) is one query.
STEPS_INDEX = "gsi1"

TABLE_DEFINITION: dict[str, Any] = {
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
        {"AttributeName": "gsi1pk", "AttributeType": "S"},
        {"AttributeName": "gsi1sk", "AttributeType": "S"},
    ],
    "KeySchema": [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": STEPS_INDEX,
            "KeySchema": [
                {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
    "BillingMode": "PAY_PER_REQUEST",
}


def create_table(client: Any, name: str) -> None:
    """Create the store's table, wait until it is active, and turn on TTL.

    `client` is a boto3 DynamoDB client. TTL can only be set on an existing table, hence the
    wait in between.
    """
    client.create_table(TableName=name, **TABLE_DEFINITION)
    client.get_waiter("table_exists").wait(
        TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
    )
    client.update_time_to_live(
        TableName=name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    )
