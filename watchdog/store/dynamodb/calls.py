"""The DynamoDB calls under the store, kept out of store.py: errors, expressions, pages.

`TableCalls` is what DynamoStore is built on. Every call goes through `_call`, which turns a
lost condition (a conditional write's, or one inside a transaction) into ConditionFailed, for
the store to answer as its protocol says, and any other AWS error into StoreUnavailable. The
helpers name every attribute of an expression, follow query pages, and read consistently
wherever DynamoDB allows it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from watchdog.store.base import StoreUnavailable
from watchdog.store.dynamodb import keys as k

Item = k.Item
_NAME = re.compile(r"#(\w+)")


class ConditionFailed(Exception):
    """A condition expression (or a transaction's) did not hold: the write lost."""


def names(*expressions: str) -> dict[str, str]:
    """Every attribute is written `#name` in expressions (DynamoDB reserves hundreds of words,
    `state` and `owner` among them); this maps each back to itself."""
    return {f"#{name}": name for e in expressions for name in _NAME.findall(e)}


class TableCalls:
    """Calls on one table through a boto3 DynamoDB client, with the store's error mapping."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self.table = table

    def _call(self, operation: str, **request: Any) -> Any:
        try:
            return getattr(self._client, operation)(**request)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            reasons = error.response.get("CancellationReasons") or []
            if code == "ConditionalCheckFailedException" or any(
                r.get("Code") == "ConditionalCheckFailed" for r in reasons
            ):
                raise ConditionFailed from error
            if code == "ResourceNotFoundException":
                raise StoreUnavailable(
                    f"DynamoDB table {self.table} not found in {self._region()}: create it "
                    "(template.yaml, or watchdog.store.dynamodb.create_table)"
                ) from error
            raise StoreUnavailable(f"DynamoDB {operation} on {self.table}: {error}") from error
        except BotoCoreError as error:
            raise StoreUnavailable(f"DynamoDB {operation} on {self.table}: {error}") from error

    def _region(self) -> str:
        return str(getattr(getattr(self._client, "meta", None), "region_name", "?"))

    def _update(
        self, key: Item, update: str, condition: str | None, returns: bool = False, **values: Item
    ) -> Item:
        """UpdateItem; with `returns`, the item as written (so a claim needs no second read)."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "Key": key,
            "UpdateExpression": update,
            "ExpressionAttributeNames": names(update, condition or ""),
            "ReturnValues": "ALL_NEW" if returns else "NONE",
        }
        if condition:
            request["ConditionExpression"] = condition
        if values:
            request["ExpressionAttributeValues"] = {f":{n}": v for n, v in values.items()}
        attributes: Item = self._call("update_item", **request).get("Attributes", {})
        return attributes

    def _put(self, item: Item, condition: str | None = None, **values: Item) -> None:
        request: dict[str, Any] = {"TableName": self.table, "Item": item}
        if condition:
            request["ConditionExpression"] = condition
            request["ExpressionAttributeNames"] = names(condition)
        if values:
            request["ExpressionAttributeValues"] = {f":{n}": v for n, v in values.items()}
        self._call("put_item", **request)

    def _transact_put(self, item: Item, condition: str) -> Item:
        """One conditional put of a TransactWriteItems request."""
        return {
            "Put": {
                "TableName": self.table,
                "Item": item,
                "ConditionExpression": condition,
                "ExpressionAttributeNames": names(condition),
            }
        }

    def _get(self, key: Item) -> Item | None:
        item: Item | None = self._call(
            "get_item", TableName=self.table, Key=key, ConsistentRead=True
        ).get("Item")
        return item

    def _query(
        self,
        pk: str,
        sk_from: str | None = None,
        newest_first: bool = False,
        index: str | None = None,
    ) -> Iterator[Item]:
        """Every item of one partition (pages followed), optionally with sk >= `sk_from`."""
        hash_key, range_key = ("gsi1pk", "gsi1sk") if index else ("pk", "sk")
        condition = f"#{hash_key} = :pk"
        values: Item = {":pk": k.s(pk)}
        if sk_from is not None:
            condition += f" AND #{range_key} >= :sk"
            values[":sk"] = k.s(sk_from)
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": names(condition),
            "ExpressionAttributeValues": values,
            "ScanIndexForward": not newest_first,
        }
        if index:
            request["IndexName"] = index  # GSIs cannot be read consistently
        else:
            request["ConsistentRead"] = True
        while True:
            page = self._call("query", **request)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
