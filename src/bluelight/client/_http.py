from __future__ import annotations

import asyncio
import uuid
from typing import Any, TypeVar

import httpx
import msgspec

from bluelight.client._errors import HubError, Unavailable
from bluelight.domain.agency import Agency
from bluelight.domain.incident import Incident, IncidentUpdate
from bluelight.domain.transfer import Transfer
from bluelight.services.views import Inbox, Receipt, Stats, Timeline, TransferView

T = TypeVar("T")
_encode = msgspec.json.Encoder().encode


def _as_struct(value: Any, type_: type[T]) -> T:
    return value if isinstance(value, type_) else msgspec.convert(value, type_)


class Client:
    """Async client for one agency. Submissions are retried on network failure with the
    same message_id, which the hub deduplicates, so a retry never sends twice."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.retries = retries
        self._http = httpx.AsyncClient(
            base_url=self.base_url, timeout=timeout, transport=transport,
            headers={"Authorization": f"Bearer {token}"},
        )

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _request(self, method: str, path: str, type_: type[T] | None, *,
                       body: Any = None, params: dict | None = None, retry: bool = False) -> T:
        content = _encode(body) if body is not None else None
        headers = {"content-type": "application/json"} if content is not None else None
        attempts = self.retries + 1 if retry else 1
        for attempt in range(attempts):
            try:
                response = await self._http.request(method, path, content=content,
                                                     headers=headers, params=params)
            except httpx.TransportError as exc:
                if attempt + 1 == attempts:
                    raise Unavailable(f"hub unreachable: {exc!r}") from exc
                await asyncio.sleep(0.2 * 2**attempt)
                continue
            if response.status_code == 503 and attempt + 1 < attempts:
                await asyncio.sleep(0.2 * 2**attempt)
                continue
            if response.status_code >= 400:
                try:
                    problem = response.json()
                except ValueError:
                    problem = {"title": response.text}
                raise HubError(response.status_code, problem)
            return msgspec.json.decode(response.content, type=type_) if type_ else None
        raise AssertionError("unreachable")

    # sending ---------------------------------------------------------------------------
    async def submit(self, recipients: list[str], incident: Incident | dict, *,
                     message_id: uuid.UUID | None = None) -> Receipt:
        body = {"message_id": message_id or uuid.uuid4(), "recipients": recipients,
                "incident": _as_struct(incident, Incident)}
        return await self._request("POST", "/v1/incidents", Receipt, body=body, retry=True)

    async def update(self, reference: str, update: IncidentUpdate | dict, *,
                     message_id: uuid.UUID | None = None) -> Receipt:
        body = {"message_id": message_id or uuid.uuid4(),
                "update": _as_struct(update, IncidentUpdate)}
        return await self._request("POST", f"/v1/incidents/{reference}/updates", Receipt,
                                   body=body, retry=True)

    async def close_incident(self, reference: str, outcome: str, text: str | None = None, *,
                             message_id: uuid.UUID | None = None) -> Receipt:
        closure = {"outcome": outcome} | ({"text": text} if text else {})
        body = {"message_id": message_id or uuid.uuid4(), "closure": closure}
        return await self._request("POST", f"/v1/incidents/{reference}/closure", Receipt,
                                   body=body, retry=True)

    async def cancel(self, reference: str, reason: str, *,
                     message_id: uuid.UUID | None = None) -> Receipt:
        body = {"message_id": message_id or uuid.uuid4(), "reason": reason}
        return await self._request("POST", f"/v1/incidents/{reference}/cancellation", Receipt,
                                   body=body, retry=True)

    # receiving -------------------------------------------------------------------------
    async def inbox(self, after: int | None = None, limit: int = 100) -> Inbox:
        params = {"limit": limit} | ({"after": after} if after is not None else {})
        return await self._request("GET", "/v1/inbox", Inbox, params=params)

    async def acknowledge(self, seqs: list[int]) -> int:
        result = await self._request("POST", "/v1/inbox/acks", dict, body={"seqs": seqs},
                                     retry=True)
        return result["acknowledged"]

    async def decide(self, transfer_id: str, decision: str, reason: str | None = None,
                     operator: str | None = None) -> TransferView:
        body = {"decision": decision} | ({"reason": reason} if reason else {}) | (
            {"operator": operator} if operator else {})
        return await self._request("POST", f"/v1/transfers/{transfer_id}/decision",
                                   TransferView, body=body)

    async def accept(self, transfer_id: str, operator: str | None = None) -> TransferView:
        return await self.decide(transfer_id, "accepted", operator=operator)

    async def reject(self, transfer_id: str, reason: str,
                     operator: str | None = None) -> TransferView:
        return await self.decide(transfer_id, "rejected", reason, operator)

    # reading ---------------------------------------------------------------------------
    async def transfer(self, transfer_id: str) -> TransferView:
        return await self._request("GET", f"/v1/transfers/{transfer_id}", TransferView)

    async def timeline(self, transfer_id: str) -> Timeline:
        return await self._request("GET", f"/v1/transfers/{transfer_id}/timeline", Timeline)

    async def transfers(self, role: str | None = None, state: str | None = None,
                        limit: int = 100) -> list[Transfer]:
        params = {"limit": limit} | ({"role": role} if role else {}) | (
            {"state": state} if state else {})
        return await self._request("GET", "/v1/transfers", list[Transfer], params=params)

    async def agencies(self) -> list[Agency]:
        return await self._request("GET", "/v1/agencies", list[Agency])

    async def stats(self, since: float | None = None) -> Stats:
        params = {"since": since} if since is not None else None
        return await self._request("GET", "/v1/stats", Stats, params=params)

    def stream(self, *, after: int | None = None, auto_ack: bool = True):
        from bluelight.client._stream import Stream

        return Stream(self, after=after, auto_ack=auto_ack)
