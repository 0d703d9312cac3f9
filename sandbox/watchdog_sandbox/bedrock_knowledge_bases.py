"""Knowledge-base data sources and agent associations for moto, which has knowledge bases and
agents but neither of these.

`install()` sets CreateDataSource, ListDataSources, GetDataSource, DeleteDataSource,
ListAgentVersions, AssociateAgentKnowledgeBase and ListAgentKnowledgeBases on
`moto.bedrockagent.responses.AgentsforBedrockResponse` (moto names the operation from botocore's
model and looks the method up at call time), replaces its DeleteKnowledgeBase, and corrects two
things moto's knowledge bases get wrong: their status is `ACTIVE` (the KnowledgeBaseStatus enum;
moto says "Active") and their id is 10 letters and digits (the `Id` pattern [0-9a-zA-Z]{10}).

What AWS documents, and this emulation does (botocore bedrock-agent service-2.json 2023-06-05;
Bedrock user guide "Delete a knowledge base" kb-delete, "Delete a data source" kb-ds-delete):
- a data source belongs to one knowledge base; names are unique within it (ConflictException);
  a missing knowledge base or data source is ResourceNotFoundException (404);
- DeleteDataSource and DeleteKnowledgeBase answer 202 with status DELETING; both are asynchronous
  on AWS, here they are gone at once (as moto's own deletes are);
- deleting a knowledge base applies its data sources' dataDeletionPolicy: they go with it;
- AWS does not refuse to delete a knowledge base an agent uses: it asks people to disassociate it
  first, and the console then warns on the agent. Here the association is left dangling too.
- ListAgentVersions lists DRAFT (every agent has one) and the numbered versions; associations are
  made on DRAFT (AssociateAgentKnowledgeBase takes agentVersion "DRAFT" only: its pattern).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from moto.bedrockagent.models import Agent, AgentsforBedrockBackend, KnowledgeBase
from moto.bedrockagent.responses import AgentsforBedrockResponse
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.moto_api._internal import mock_random

_STATE_KEY = "_watchdog_knowledge_base_extras"
_PATCHED = "_watchdog_knowledge_base_ids"
PAGE = 1000


class ResourceNotFoundException(ServiceException):
    code = "ResourceNotFoundException"


class ConflictException(ServiceException):
    code = "ConflictException"


class ValidationException(ServiceException):
    code = "ValidationException"


@dataclass
class DataSource:
    knowledge_base_id: str
    data_source_id: str
    name: str
    configuration: dict[str, Any]
    deletion_policy: str
    created_at: datetime
    status: str = "AVAILABLE"

    def view(self) -> dict[str, Any]:
        return {
            "knowledgeBaseId": self.knowledge_base_id,
            "dataSourceId": self.data_source_id,
            "name": self.name,
            "status": self.status,
            "dataSourceConfiguration": self.configuration,
            "dataDeletionPolicy": self.deletion_policy,
            "createdAt": self.created_at,
            "updatedAt": self.created_at,
        }


@dataclass
class Extras:
    """Per backend: data sources by knowledge base, and each agent's associated knowledge
    bases (on its DRAFT version)."""

    data_sources: dict[str, dict[str, DataSource]] = field(default_factory=dict)
    associations: dict[str, dict[str, str]] = field(default_factory=dict)


def extras(backend: AgentsforBedrockBackend) -> Extras:
    found: Extras | None = getattr(backend, _STATE_KEY, None)
    if found is None:
        found = Extras()
        setattr(backend, _STATE_KEY, found)
    return found


def _params(response: AgentsforBedrockResponse) -> dict[str, Any]:
    # moto parses body, query string and URI labels with botocore's model, into typed values.
    response.parse_parameters(response.normalized_request)
    params: dict[str, Any] = response.params
    return params


def _knowledge_base(backend: AgentsforBedrockBackend, kb_id: str) -> KnowledgeBase:
    found = backend.knowledge_bases.get(kb_id)
    if found is None:
        raise ResourceNotFoundException(f"Knowledge base {kb_id} not found")
    return found


def _data_source(backend: AgentsforBedrockBackend, kb_id: str, ds_id: str) -> DataSource:
    _knowledge_base(backend, kb_id)
    found = extras(backend).data_sources.get(kb_id, {}).get(ds_id)
    if found is None:
        raise ResourceNotFoundException(f"Data source {ds_id} not found in {kb_id}")
    return found


def _page(items: list[dict[str, Any]], params: dict[str, Any], key: str) -> ActionResult:
    start = int(params.get("nextToken") or 0)
    size = int(params.get("maxResults") or PAGE)
    page: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        page["nextToken"] = str(start + size)
    return ActionResult(page)


def create_data_source(
    backend: AgentsforBedrockBackend,
    kb_id: str,
    name: str,
    configuration: dict[str, Any],
    deletion_policy: str = "DELETE",
) -> DataSource:
    _knowledge_base(backend, kb_id)
    sources = extras(backend).data_sources.setdefault(kb_id, {})
    if any(s.name == name for s in sources.values()):
        raise ConflictException(f"A data source named {name} already exists in {kb_id}")
    ds_id = mock_random.get_random_string(10).upper()
    source = DataSource(kb_id, ds_id, name, configuration, deletion_policy, utcnow())
    sources[ds_id] = source
    return source


def _create(response: AgentsforBedrockResponse) -> ActionResult:
    params = _params(response)
    source = create_data_source(
        response.bedrockagent_backend,
        params["knowledgeBaseId"],
        params["name"],
        params["dataSourceConfiguration"],
        params.get("dataDeletionPolicy") or "DELETE",
    )
    return ActionResult({"dataSource": source.view()})


def _list(response: AgentsforBedrockResponse) -> ActionResult:
    params, backend = _params(response), response.bedrockagent_backend
    kb_id = params["knowledgeBaseId"]
    _knowledge_base(backend, kb_id)
    summaries = [
        {k: v for k, v in s.view().items() if k in {"knowledgeBaseId", "dataSourceId", "name"}}
        | {"status": s.status, "updatedAt": s.created_at}
        for s in extras(backend).data_sources.get(kb_id, {}).values()
    ]
    return _page(summaries, params, "dataSourceSummaries")


def _get(response: AgentsforBedrockResponse) -> ActionResult:
    params = _params(response)
    source = _data_source(
        response.bedrockagent_backend, params["knowledgeBaseId"], params["dataSourceId"]
    )
    return ActionResult({"dataSource": source.view()})


def _delete(response: AgentsforBedrockResponse) -> ActionResult:
    params, backend = _params(response), response.bedrockagent_backend
    kb_id, ds_id = params["knowledgeBaseId"], params["dataSourceId"]
    _data_source(backend, kb_id, ds_id)
    del extras(backend).data_sources[kb_id][ds_id]
    return ActionResult({"knowledgeBaseId": kb_id, "dataSourceId": ds_id, "status": "DELETING"})


def _delete_knowledge_base(response: AgentsforBedrockResponse) -> ActionResult:
    params, backend = _params(response), response.bedrockagent_backend
    kb_id = params["knowledgeBaseId"]
    _knowledge_base(backend, kb_id)
    # Its data sources go with it (their dataDeletionPolicy applies); agent associations stay
    # dangling, as on AWS.
    extras(backend).data_sources.pop(kb_id, None)
    del backend.knowledge_bases[kb_id]
    return ActionResult({"knowledgeBaseId": kb_id, "status": "DELETING"})


def _agent(backend: AgentsforBedrockBackend, agent_id: str) -> Any:
    agent = backend.agents.get(agent_id)
    if agent is None:
        raise ResourceNotFoundException(f"Agent {agent_id} not found")
    return agent


def _list_versions(response: AgentsforBedrockResponse) -> ActionResult:
    params = _params(response)
    agent = _agent(response.bedrockagent_backend, params["agentId"])
    draft = {
        "agentName": agent.agent_name,
        "agentStatus": agent.agent_status,
        "agentVersion": "DRAFT",
        "createdAt": utcnow(),
        "updatedAt": utcnow(),
    }
    return _page([draft], params, "agentVersionSummaries")


def associate(backend: AgentsforBedrockBackend, agent_id: str, kb_id: str) -> None:
    _agent(backend, agent_id)
    _knowledge_base(backend, kb_id)
    extras(backend).associations.setdefault(agent_id, {})[kb_id] = "ENABLED"


def _associate(response: AgentsforBedrockResponse) -> ActionResult:
    params, backend = _params(response), response.bedrockagent_backend
    if params["agentVersion"] != "DRAFT":
        raise ValidationException("agentVersion must be DRAFT")
    associate(backend, params["agentId"], params["knowledgeBaseId"])
    summary = {"knowledgeBaseId": params["knowledgeBaseId"], "knowledgeBaseState": "ENABLED"}
    return ActionResult({"agentKnowledgeBase": summary | {"updatedAt": utcnow()}})


def _list_associations(response: AgentsforBedrockResponse) -> ActionResult:
    params, backend = _params(response), response.bedrockagent_backend
    _agent(backend, params["agentId"])
    on_draft = params["agentVersion"] == "DRAFT"
    found = extras(backend).associations.get(params["agentId"], {}) if on_draft else {}
    summaries = [
        {"knowledgeBaseId": kb_id, "knowledgeBaseState": state, "updatedAt": utcnow()}
        for kb_id, state in found.items()
    ]
    return _page(summaries, params, "agentKnowledgeBaseSummaries")


_HANDLERS: dict[str, Callable[[AgentsforBedrockResponse], ActionResult]] = {
    "create_data_source": _create,
    "list_data_sources": _list,
    "get_data_source": _get,
    "delete_data_source": _delete,
    "delete_knowledge_base": _delete_knowledge_base,
    "list_agent_versions": _list_versions,
    "associate_agent_knowledge_base": _associate,
    "list_agent_knowledge_bases": _list_associations,
}


def _aws_shaped_knowledge_bases() -> None:
    """moto's knowledge bases with AWS's id pattern and status spelling."""
    original: Callable[..., None] = KnowledgeBase.__init__
    if getattr(original, _PATCHED, False):
        return

    def __init__(self: KnowledgeBase, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        old_id = self.knowledge_base_id
        self.knowledge_base_id = mock_random.get_random_string(10).upper()
        self.knowledge_base_arn = self.knowledge_base_arn.replace(old_id, self.knowledge_base_id)
        self.status = "ACTIVE"

    setattr(__init__, _PATCHED, True)
    KnowledgeBase.__init__ = __init__  # type: ignore[method-assign]


def _aws_shaped_agents() -> None:
    """moto's agents with AWS's id pattern: moto names one "<agent name><8 hex>", where AWS's
    (and botocore's agentId pattern, [0-9a-zA-Z]{10}) is ten letters and digits."""
    original: Callable[..., None] = Agent.__init__
    if getattr(original, _PATCHED, False):
        return

    def __init__(self: Agent, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        old_id = self.agent_id
        self.agent_id = mock_random.get_random_string(10).upper()
        self.agent_arn = self.agent_arn.replace(f"agent/{old_id}", f"agent/{self.agent_id}")

    setattr(__init__, _PATCHED, True)
    Agent.__init__ = __init__  # type: ignore[method-assign]


def install() -> None:
    """Patch moto in place (idempotent)."""
    _aws_shaped_knowledge_bases()
    _aws_shaped_agents()
    for name, handler in _HANDLERS.items():
        setattr(AgentsforBedrockResponse, name, handler)
