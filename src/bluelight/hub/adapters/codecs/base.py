"""The codec contract's types (defined in the domain, re-exported for the codecs)."""

from bluelight.hub.domain.translation import CodecError, Kind, Native, Translation

__all__ = ["CodecError", "Kind", "Native", "Translation"]
