"""Attributes that spell a structure in their names (``prefix.0.message.role``), read back as one.

OpenInference and older OpenLLMetry flatten messages into indexed attribute names because
span attributes could not hold structured values; this rebuilds the tree once per span.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Tree = dict[str, Any]


def unflatten(attributes: Mapping[str, Any], prefix: str) -> Tree:
    """Attributes named ``prefix + "a.0.b"`` as ``{"a": {"0": {"b": value}}}``."""
    tree: Tree = {}
    for key, value in attributes.items():
        if not key.startswith(prefix):
            continue
        node = tree
        *parents, leaf = key[len(prefix) :].split(".")
        for name in parents:
            child = node.setdefault(name, {})
            if not isinstance(child, dict):
                break
            node = child
        else:
            node.setdefault(leaf, value)
    return tree


def indexed(node: Any) -> list[Any]:
    """The children of ``node`` under numeric keys, in numeric order."""
    if not isinstance(node, dict):
        return []
    return [node[key] for key in sorted((k for k in node if k.isdigit()), key=int)]


def path(node: Any, *names: str) -> Any:
    """``node[names[0]][names[1]]...``, or None where a step is missing."""
    for name in names:
        if not isinstance(node, dict):
            return None
        node = node.get(name)
    return node


def texts_under(attributes: Mapping[str, Any], prefixes: tuple[str, ...], suffixes: tuple[str, ...]) -> list[str]:
    """String values of attributes starting with one of ``prefixes`` and ending with one of ``suffixes``."""
    return [
        value
        for key, value in attributes.items()
        if isinstance(value, str) and value and key.startswith(prefixes) and key.endswith(suffixes)
    ]
