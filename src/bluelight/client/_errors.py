from __future__ import annotations

from typing import Any


class HubError(Exception):
    """The hub answered with an RFC 9457 problem."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        self.status = status
        self.problem = problem
        self.type: str = problem.get("type", "")
        self.errors: list[dict[str, str]] = problem.get("errors", [])
        super().__init__(f"{status} {problem.get('title', '')}: {problem.get('detail', '')}")

    @property
    def fields(self) -> list[str]:
        return [e.get("field", "") for e in self.errors]


class Unavailable(Exception):
    """The hub could not be reached, or did not answer in time. A submission may or may
    not have been stored: resend it with the same message_id to find out."""
