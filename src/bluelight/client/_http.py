from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
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


def _answer(response: httpx.Response, type_: type[T] | None) -> T:
    """The decoded body, or HubError for a problem."""
    if response.status_code >= 400:
        try:
            problem = response.json()
        except ValueError:
            problem = {"title": response.text}
        raise HubError(response.status_code, problem)
    return msgspec.json.decode(response.content, type=type_) if type_ else None


# Failures that prove the request never left: any request may go to the next endpoint.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Answers of a proxy (or a hub) that could not serve the request: a request the hub
# deduplicates goes to the next endpoint.
_TRY_ELSEWHERE = frozenset({502, 503, 504})


class Client:
    """Async client for one agency. Submissions are retried on network failure with the
    same message_id, which the hub deduplicates, so a retry never sends twice.

    `base_url` is one hub address (a single hub, or a region's front door). Or give
    `endpoints=[...]`, the region's hub nodes: a call that cannot be served by one goes
    to the next, and the client stays on the one that answered. Any call moves on when
    it could not connect (nothing was sent). Calls the hub deduplicates (reads, and
    submissions, updates, closures, cancellations and acknowledgements) also move on
    after a timeout, a dropped connection or a 502, 503 or 504. After each round of
    every endpoint, the client waits (0.2 s, doubling) and tries again, at most
    `retries` more rounds and never for longer than `failover_timeout` seconds in all.

    With `signing_key` (an Ed25519 or P-256 private key, or its PEM), every message is
    signed over the exact bytes sent; `key_id` defaults to the key's JWK thumbprint,
    the id `bluelight agency key generate|add` registers."""

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        *,
        endpoints: Sequence[str] | None = None,
        timeout: float = 10.0,
        retries: int = 3,
        failover_timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        signing_key: Any = None,
        key_id: str | None = None,
    ) -> None:
        if (base_url is None) == (endpoints is None):
            raise TypeError("Client() takes either base_url or endpoints=[...]")
        if token is None:
            raise TypeError("Client() needs the agency's token")
        urls = [base_url] if base_url is not None else list(endpoints or ())
        if not urls or isinstance(endpoints, str):
            raise ValueError("endpoints must be a non-empty list of hub addresses")
        self.endpoints: tuple[str, ...] = tuple(url.rstrip("/") for url in urls)
        self._current = 0
        self.signer = Signer(signing_key, key_id) if signing_key is not None else None
        self.token = token
        self.retries = retries
        self.timeout = timeout
        self.failover_timeout = failover_timeout
        self._http = httpx.AsyncClient(
            timeout=timeout, transport=transport,
            headers={"Authorization": f"Bearer {token}"},
        )

    @property
    def base_url(self) -> str:
        """The endpoint in use: the first, until a call or the stream fails over."""
        return self.endpoints[self._current]

    def _fail_over(self, endpoint: str) -> None:
        """Move on from `endpoint` to the next, unless another call already has."""
        if self.base_url == endpoint:
            self._current = (self._current + 1) % len(self.endpoints)

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _request(self, method: str, path: str, type_: type[T] | None, *,
                       body: Any = None, params: dict | None = None, retry: bool = False,
                       signed: bool = False) -> T:
        """`retry`: the hub deduplicates the request (it carries a message_id, or names
        seqs to acknowledge), so sending it again is safe, as for a GET."""
        content = _encode(body) if body is not None else None
        headers = {"content-type": "application/json"} if content is not None else {}
        idempotent = retry or method == "GET"
        deadline = time.monotonic() + self.failover_timeout
        tries = rounds = 0
        while True:
            endpoint = self.base_url
            if signed and self.signer is not None:  # afresh each time: the time is signed
                headers["X-JWS-Signature"] = self.signer.sign(content)
            failure: httpx.Response | httpx.TransportError
            try:
                response = await self._http.request(
                    method, f"{endpoint}{path}", content=content, headers=headers,
                    params=params,
                    timeout=max(0.001, min(self.timeout, deadline - time.monotonic())))
            except httpx.TransportError as exc:
                if not (idempotent or isinstance(exc, _NOT_SENT)):
                    raise Unavailable(f"hub unreachable: {exc!r}") from exc
                failure = exc
            else:
                if not (idempotent and response.status_code in _TRY_ELSEWHERE):
                    return _answer(response, type_)
                failure = response
            tries += 1
            self._fail_over(endpoint)
            delay = 0.0
            if tries % len(self.endpoints) == 0:  # a whole round failed: back off
                rounds += 1
                delay = 0.2 * 2 ** (rounds - 1)
            if rounds > self.retries or time.monotonic() + delay >= deadline:
                if isinstance(failure, httpx.Response):
                    return _answer(failure, type_)  # raises HubError
                raise Unavailable(f"hub unreachable: {failure!r}") from failure
            await asyncio.sleep(delay)

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
