"""Shipped definitions: YAML files beside this module, validated into Definition objects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from search_definitions.schema import Definition

SHIPPED_DIR = Path(__file__).parent
DEFAULT_NAME = "default"


def shipped_names() -> list[str]:
    return sorted(p.stem for p in SHIPPED_DIR.glob("*.yaml"))


def load_file(path: Path) -> Definition:
    return parse_yaml(path.read_text(encoding="utf-8"))


def parse_yaml(text: str) -> Definition:
    data: Any = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError("a definition file holds one mapping of fields")
    return Definition.model_validate(data)


def load_shipped(name: str = DEFAULT_NAME) -> Definition:
    path = SHIPPED_DIR / f"{name}.yaml"
    if not path.is_file():
        raise FileNotFoundError(f"no shipped definition '{name}' (have: {', '.join(shipped_names())})")
    return load_file(path)


def dump_yaml(definition: Definition) -> str:
    return yaml.safe_dump(definition.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
