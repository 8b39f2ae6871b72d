"""The Translator port, over the codec registry."""

from __future__ import annotations

from bluelight.adapters.codecs.registry import codec, detect
from bluelight.domain.translation import Native, Translation


class CodecTranslator:
    def decode(self, format_: str | None, data: bytes) -> Translation:
        """`format_` None means: tell it from the content."""
        return codec(format_ or detect(data)).decode(data)

    def encode(self, format_: str, native: Native) -> Translation:
        return codec(format_).encode(native)
