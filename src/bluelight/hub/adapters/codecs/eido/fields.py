"""Naming fields: the path of a field (a.b[0].c), and the error that names one."""

from __future__ import annotations

from bluelight.hub.adapters.codecs.base import CodecError
from bluelight.hub.adapters.codecs.eido.profile import FORMAT
from bluelight.kernel.errors import FieldFault


def fail(field: str, fault: str) -> CodecError:
    return CodecError(FORMAT, f"{field}: {fault}", [FieldFault(field, fault)])


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key
