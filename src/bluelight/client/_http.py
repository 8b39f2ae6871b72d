from __future__ import annotations

import asyncio
import uuid
from typing import Any, TypeVar

import httpx
import msgspec

from bluelight.client._errors import HubError, Unavailable
from bluelight.client._signing import SignatureCheck, Signer, check
from bluelight.wire.agency import Agency
from bluelight.wire.incident import Incident, IncidentUpdate
from bluelight.wire.signatures import KeySet, TransferSignatures
from bluelight.wire.stats import Stats
from bluelight.wire.transfer import Transfer
from bluelight.wire.views import (
    Inbox,
    Receipt,
    Timeline,
    TransferView,
    UpdatePage,
)

T = TypeVar("T")
_encode = msgspec.json.Encoder().encode


def _as_struct(value: Any, type_: type[T]) -> T:
    return value if isinstance(value, type_) else msgspec.convert(value, type_)


class Client:
    """Async client for one agency. Submissions are retried on network failure with the
    same message_id, which the hub deduplicates, so a retry never sends twice.

    With `signing_key` (an Ed25519 or P-256 private key, or its PEM), every message is
    signed over the exact bytes sent; `key_id` defaults to the key's JWK thumbprint,
    the id `bluelight agency key generate|add` registers."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        transport: httpx.AsyncBaseTransport | None = None,
        signing_key: Any = None,
        key_id: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.signer = Signer(signing_key, key_id) if signing_key is not None else None
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
                       body: Any = None, params: dict | None = None, retry: bool = False,
                       signed: bool = False) -> T:
        content = _encode(body) if body is not None else None
        headers = {"content-type": "application/json"} if content is not None else None
        attempts = self.retries + 1 if retry else 1
        for attempt in range(attempts):
            if signed and self.signer is not None:  # afresh each time: the time is signed
                headers["X-JWS-Signature"] = self.signer.sign(content)
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
        return await self._request("POST", "/v1/incidents", Receipt, body=body, retry=True, signed=True)

    async def update(self, reference: str, update: IncidentUpdate | dict, *,
                     message_id: uuid.UUID | None = None) -> Receipt:
        body = {"message_id": message_id or uuid.uuid4(),
                "update": _as_struct(update, IncidentUpdate)}
        return await self._request("POST", f"/v1/incidents/{reference}/updates", Receipt,
                                   body=body, retry=True, signed=True)

    async def close_incident(self, reference: str, outcome: str, text: str | None = None, *,
                             message_id: uuid.UUID | None = None) -> Receipt:
        closure = {"outcome": outcome} | ({"text": text} if text else {})
        body = {"message_id": message_id or uuid.uuid4(), "closure": closure}
        return await self._request("POST", f"/v1/incidents/{reference}/closure", Receipt,
                                   body=body, retry=True, signed=True)

    async def cancel(self, reference: str, reason: str, *,
                     message_id: uuid.UUID | None = None) -> Receipt:
        body = {"message_id": message_id or uuid.uuid4(), "reason": reason}
        return await self._request("POST", f"/v1/incidents/{reference}/cancellation", Receipt,
                                   body=body, retry=True, signed=True)

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
                                   TransferView, body=body, signed=True)

    async def accept(self, transfer_id: str, operator: str | None = None) -> TransferView:
        return await self.decide(transfer_id, "accepted", operator=operator)

    async def reject(self, transfer_id: str, reason: str,
                     operator: str | None = None) -> TransferView:
        return await self.decide(transfer_id, "rejected", reason, operator)

    # reading ---------------------------------------------------------------------------
    async def transfer(self, transfer_id: str) -> TransferView:
        return await self._request("GET", f"/v1/transfers/{transfer_id}", TransferView)

    async def timeline(self, transfer_id: str, after: int = 0,
                       limit: int | None = None) -> Timeline:
        """One page of the timeline; follow `next_after` for the rest."""
        params = {"after": after} | ({"limit": limit} if limit else {})
        return await self._request("GET", f"/v1/transfers/{transfer_id}/timeline", Timeline,
                                   params=params)

    async def updates(self, transfer_id: str, after: int = 0,
                      limit: int | None = None) -> UpdatePage:
        """One page of the incident's update history, oldest first; follow `next_after`."""
        params = {"after": after} | ({"limit": limit} if limit else {})
        return await self._request("GET", f"/v1/transfers/{transfer_id}/updates", UpdatePage,
                                   params=params)

    async def transfers(self, role: str | None = None, state: str | None = None,
                        limit: int = 100) -> list[Transfer]:
        params = {"limit": limit} | ({"role": role} if role else {}) | (
            {"state": state} if state else {})
        return await self._request("GET", "/v1/transfers", list[Transfer], params=params)

    async def verify_transfer(self, transfer_id: str) -> list[SignatureCheck]:
        """Check each signature the hub kept over the transfer's messages against the
        signer's published keys: proof, independent of the hub, of who sent what."""
        kept = await self._request("GET", f"/v1/transfers/{transfer_id}/signatures",
                                   TransferSignatures)
        key_sets: dict[str, KeySet] = {}
        checks = []
        for signature in kept.signatures:
            if signature.agency not in key_sets:
                key_sets[signature.agency] = await self._request(
                    "GET", f"/v1/agencies/{signature.agency}/keys", KeySet)
            checks.append(check(signature, key_sets[signature.agency], kept.reason))
        return checks

    async def agencies(self) -> list[Agency]:
        return await self._request("GET", "/v1/agencies", list[Agency])

    async def stats(self, since: float | None = None) -> Stats:
        params = {"since": since} if since is not None else None
        return await self._request("GET", "/v1/stats", Stats, params=params)

    def stream(self, *, after: int | None = None, auto_ack: bool = True):
        from bluelight.client._stream import Stream

        return Stream(self, after=after, auto_ack=auto_ack)
