"""The generation backends by name (`generation.backend`): a registry, imported lazily.

A backend offers `profiles`, `facts`, `qa` and `probes` (and `judge` where it can);
`make_backend` builds the one a stage's params name.
"""

from __future__ import annotations

import json
from importlib import import_module

# name -> (module, class); the module is imported only when its backend runs
BACKENDS = {
    "template": ("unlearnflow.data.template", "TemplateBackend"),
    "openai": ("unlearnflow.data.llm_backend", "OpenAIBackend"),
}

# The `generation.openai` settings that decide how requests are sent, never what a record
# says: the workflow hands them to jobs as resources, so that changing one re-runs nothing.
TRANSPORT_SETTINGS = (
    "api_key_env",
    "requests_per_minute",
    "tokens_per_minute",
    "max_retries",
    "backoff_s",
    "timeout_s",
    "cache_dir",
)


def backend_module(name: str) -> str:
    return BACKENDS[name][0]


def make_backend(backend: dict):
    """The backend named by `backend["name"]`, built from its settings."""
    if backend["name"] not in BACKENDS:
        raise ValueError(f"generation.backend: unknown backend {backend['name']!r}")
    module, name = BACKENDS[backend["name"]]
    return getattr(import_module(module), name).from_params(backend)


def transport_resources(openai: dict) -> dict[str, str]:
    """The transport settings of `generation.openai` as Snakemake resources: JSON
    strings, which Snakemake keeps as given and which decode to the same values."""
    return {key: json.dumps(openai[key]) for key in TRANSPORT_SETTINGS}


def with_transport(backend: dict, resources) -> dict:
    """A job's backend params with the transport settings of its `resources` put back."""
    if "openai" not in backend:
        return backend
    transport = {key: json.loads(resources[key]) for key in TRANSPORT_SETTINGS}
    return {**backend, "openai": {**backend["openai"], **transport}}
