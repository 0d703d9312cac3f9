"""A finding's body packed for DynamoDB, which bills a write per KB of the item.

Every run saves every open finding again (an update is billed at the larger of the item
before and after), so the body's size is most of the store's own bill. zlib alone packs a
finding's 2.7 KB of JSON to about 1.1 KB, which with the item's other attributes is 2 write
units. A finding's JSON names the same fields and many of the same values every time, and one
small document gives zlib little to repeat: a preset dictionary of them (zlib's `zdict`)
brings it under 1 KB, one write unit.

The dictionary is frozen text, not built from the models: a body is read back with exactly
the dictionary it was packed with, named by its first byte. A new field only packs a little
less well. Change the dictionary only as a new version, kept beside the old ones.
"""

from __future__ import annotations

import zlib

# Version 1: the fields of a finding, its resource, evidence and steps, in the order pydantic
# writes them, and values most findings share. The end of a dictionary is the cheapest to
# refer to, so the skeleton comes last. No kind is named: kinds are their modules' to name
# (a kind's name repeats within its finding, which zlib finds by itself).
_DICTIONARY_V1 = (
    b'"Stopped""Failed""InService""on-demand""price-list""cost-explorer"'
    b'"AWS Price List API (publication ""notify""stop""park""not-measured""unknown""active"'
    b'"medium""low""automatic""also used by ""real-time""endpoint_config_name":"'
    b'"model_names":"","invocation_mode":"","managed_instance_minimum":""'
    b'" invocations in the last 7 days (instance metrics present: " datapoints)'
    b'"; created " days ago, costing about $" a month."'
    b'{"id":"f-","resource":{"kind":"","arn":"arn:aws:sagemaker:us-east-1:","name":"",'
    b'"account":"","region":"us-east-1","status":"InService","created_at":"2026-",'
    b'"last_modified_at":null,"tags":{"owner":"","team":""},"instance_type":"ml.g5.xlarge",'
    b'"instance_count":1,"billing":{"mode":"on-demand","committed_until":null},'
    b'"parent_arns":[],"uses_arns":["arn:aws:sagemaker:us-east-1:"],"child_arns":[],'
    b'"used_by_arns":[],"variants":[{"name":"AllTraffic","instance_type":"ml.g5.xlarge",'
    b'"current_instance_count":1,"serverless":false,"provisioned_concurrency":null,'
    b'"memory_mb":null,"shadow":false}],"idle_shutdown":null,"attributes":{}},"policy":"",'
    b'"action":"delete","requested_action":null,"reason":"","evidence":{"state":"idle",'
    b'"unknown_cause":null,"window_hours":168.0,"invocations":0.0,"threshold":0.0,'
    b'"load_datapoints":null,"load_seen_at":null,"traffic_published":null,"weak":false,'
    b'"detail":"","facts":{"created_at":"2026-"}},"monthly_cost_usd":,"cost_basis":"price-list",'
    b'"cost_source":"","confidence":"high","approval":"required","approval_grace_hours":null,'
    b'"approved_by_tags":null,"action_window":null,"actions_allowed_now":true,"park":null,'
    b'"parked_hours_per_week":null,"park_when_idle_hours":null,"idle_now":null,'
    b'"shared_bill":null,"owner":"","steps":[{"id":"s-","op":"sagemaker:Delete",'
    b'"target_arn":"arn:aws:sagemaker:us-east-1:","target_kind":"","target_name":"",'
    b'"depends_on":[],"params":{},"blocked":null},{"id":"s-","op":"sagemaker:Delete",'
    b'"target_arn":"arn:aws:sagemaker:us-east-1:","target_kind":"","target_name":"",'
    b'"depends_on":["s-"],"params":{},"blocked":null}],"retained":[{"what":"",'
    b'"reason":"also used by "}],"irreversible":[],"blocked":null}'
)

_DICTIONARIES = {1: _DICTIONARY_V1}
CURRENT = 1


def pack(text: str) -> bytes:
    """`text` compressed with the current dictionary, after its version byte."""
    packer = zlib.compressobj(level=9, zdict=_DICTIONARIES[CURRENT])
    return bytes([CURRENT]) + packer.compress(text.encode()) + packer.flush()


def unpack(packed: bytes) -> str:
    """What `pack` made, with any version's dictionary this version has."""
    dictionary = _DICTIONARIES.get(packed[0])
    if dictionary is None:
        raise ValueError(f"a body packed with dictionary {packed[0]}, which this version lacks")
    unpacker = zlib.decompressobj(zdict=dictionary)
    return (unpacker.decompress(packed[1:]) + unpacker.flush()).decode()
