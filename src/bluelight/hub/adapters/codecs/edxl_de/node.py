"""The decoder's view of the message: JSON objects whose members are marked as they are
read, so that what was never read can be listed as lost."""

from __future__ import annotations

from typing import Any


class Node:
    """A JSON object being mapped. Reading a member marks it used; what is never used is
    reported lost. `path` is the loss path (no indices), `jpath` the JSON path for faults."""

    def __init__(self, data: dict, path: str, jpath: str, used: set[str]):
        self.data, self.path, self.jpath, self.used = data, path, jpath, used

    def peek(self, key: str) -> Any:
        return self.data.get(key)

    def use(self, *keys: str) -> None:
        for key in keys:
            if key in self.data:
                self.used.add(f"{self.path}.{key}")

    def str(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None or isinstance(value, (dict, list)):
            return None
        self.use(key)
        return value if isinstance(value, str) else str(value)

    def num(self, key: str) -> float | None:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        self.use(key)
        return value

    def node(self, key: str) -> Node | None:
        value = self.data.get(key)
        if not isinstance(value, dict):
            return None
        return Node(value, f"{self.path}.{key}", f"{self.jpath}.{key}", self.used)

    def nodes(self, key: str) -> list[Node]:
        value = self.data.get(key)
        if not isinstance(value, list):
            return []
        return [Node(v, f"{self.path}.{key}", f"{self.jpath}.{key}[{i}]", self.used)
                for i, v in enumerate(value) if isinstance(v, dict)]

    def strs(self, key: str) -> list[str]:
        value = self.data.get(key)
        if not isinstance(value, list):
            return []
        self.use(key)
        return [v for v in value if isinstance(v, str)]


def unused(value: Any, path: str, used: set[str], out: list[str]) -> None:
    if path in used:
        return
    if isinstance(value, dict):
        prefix = path + "."
        if not any(u.startswith(prefix) for u in used):
            out.append(path)
            return
        for key, element in value.items():
            unused(element, f"{path}.{key}", used, out)
    elif isinstance(value, list):
        for element in value:
            unused(element, path, used, out)
    else:
        out.append(path)
