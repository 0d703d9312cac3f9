"""Fixtures of the restore tests: the sandbox's SageMaker, a store, and what a team deployed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.functional.restore.support import (
    CONFIG_TAGS,
    ENDPOINT_TAGS,
    IMAGE,
    MODEL_DATA,
    MODEL_TAGS,
    REGION,
    ROLE,
    tags,
)
from watchdog.store.sqlite import SqliteStore


@pytest.fixture
def sm(aws: None) -> Any:
    return boto3.client("sagemaker", region_name=REGION)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "watchdog.db")
    yield opened
    opened.close()


@pytest.fixture
def hosted(sm: Any) -> None:
    """A model, its config and an endpoint, as a team deploys an LLM."""
    sm.create_model(
        ModelName="chat-llm",
        ExecutionRoleArn=ROLE,
        PrimaryContainer={
            "Image": IMAGE,
            "ModelDataUrl": MODEL_DATA,
            "Environment": {"HF_MODEL_ID": "/opt/ml/model", "SM_NUM_GPUS": "1"},
        },
        Tags=tags(MODEL_TAGS),
    )
    sm.create_endpoint_config(
        EndpointConfigName="chat-config",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "chat-llm",
                "InstanceType": "ml.g5.2xlarge",
                "InitialInstanceCount": 1,
                "InitialVariantWeight": 1.0,
            }
        ],
        Tags=tags(CONFIG_TAGS),
    )
    sm.create_endpoint(
        EndpointName="chat", EndpointConfigName="chat-config", Tags=tags(ENDPOINT_TAGS)
    )


@pytest.fixture
def notebook(sm: Any) -> str:
    sm.create_notebook_instance(
        NotebookInstanceName="bob-notebook", InstanceType="ml.t3.medium", RoleArn=ROLE
    )
    return "bob-notebook"
