"""The Translator port, over the codec registry."""

from __future__ import annotations

from pathlib import Path

from bluelight.hub.adapters.codecs.registry import codec, detect
from bluelight.hub.domain.translation import Native, Translation


class CodecTranslator:
    """`schema_dirs` maps a format to a directory of its official JSON Schemas (EIDO,
    EDXL-DE): with one, incoming documents are validated against them as well as
    structurally. They are external material, so the hub does not ship them."""

    def __init__(self, schema_dirs: dict[str, Path] | None = None) -> None:
        self.schema_dirs = {k: v for k, v in (schema_dirs or {}).items() if v}

    def detect(self, data: bytes) -> str:
        """The format of a document, judged from its content alone."""
        return detect(data)

    def decode(self, format_: str | None, data: bytes) -> Translation:
        """`format_` None means: tell it from the content."""
        name = format_ or detect(data)
        if name in self.schema_dirs:
            return codec(name).decode(data, schema_dir=self.schema_dirs[name])
        return codec(name).decode(data)

    def encode(self, format_: str, native: Native) -> Translation:
        return codec(format_).encode(native)
