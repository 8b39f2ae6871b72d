"""uvicorn's HTTP protocols, answering requests they cannot parse with problem details.

A request that is not valid HTTP/1.1 (a bad request line, a header with a control
character, a malformed chunk) never reaches the application: uvicorn answers it itself,
in plain text ("Invalid HTTP request received."). The hub promises problem details for
every error, so `send_400_response` is replaced. The detail stays generic: the parser's
message is not passed on by uvicorn, and the connection is closed as before."""

from __future__ import annotations

import msgspec
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from bluelight.kernel import problems

_BODY = msgspec.json.encode(problems.problem(
    400, "bad-request", "the request is not valid HTTP/1.1",
    [problems.FieldFault("(request)", "not valid HTTP/1.1")]))


class ProblemAnswers:
    """Mixin for a uvicorn HTTP protocol (httptools or h11): the raw 400 response is
    written straight to the transport, which both implementations then close."""

    def send_400_response(self, msg: str) -> None:
        head = [b"HTTP/1.1 400 Bad Request\r\n"]
        for name, value in self.server_state.default_headers:  # type: ignore[attr-defined]
            head.append(name + b": " + value + b"\r\n")
        head.append(b"content-type: " + problems.MEDIA_TYPE.encode() + b"\r\n"
                    b"content-length: " + str(len(_BODY)).encode() + b"\r\n"
                    b"connection: close\r\n\r\n")
        self.transport.write(b"".join(head) + _BODY)  # type: ignore[attr-defined]
        self.transport.close()  # type: ignore[attr-defined]


def with_problem_answers(base: type) -> type:
    """`base` (a uvicorn HTTP protocol class, e.g. the TLS one) answering with problems."""
    return type(f"Problem{base.__name__}", (ProblemAnswers, base), {})


ProblemHttpToolsProtocol = with_problem_answers(HttpToolsProtocol)
ProblemH11Protocol = with_problem_answers(H11Protocol)
