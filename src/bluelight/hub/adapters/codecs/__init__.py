"""Codecs: each standard, one module, the same two functions.

    decode(data: bytes) -> Translation   # foreign message -> bluelight's native message
    encode(native: Native) -> Translation  # native message -> foreign bytes (in .data)

Every translation lists what it could not carry (`losses`), so that both sides see it.
Bad input raises `CodecError` naming the field and the fault."""

from bluelight.hub.adapters.codecs.base import CodecError, Native, Translation

__all__ = ["CodecError", "Native", "Translation"]
