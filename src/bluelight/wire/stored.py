"""Reading back what the hub stored: the same shapes, without the input limits.

A limit (a maximum length, a pattern, a range) is a rule about what may be *sent*: it
is checked once, before anything is stored, and the sender gets a 422 naming the field.
Checking it again on every read would turn a limit that was changed, or a value that
grew inside the hub, into data nobody can read: every later message about the incident
would fail, and so would the stream, the inbox and the retention purge. So stored JSON
is decoded with `stored(T)`: a subclass of T whose fields have the same names, types and
defaults, with every `msgspec.Meta` constraint taken off (nested structs included).
Instances are still T (isinstance, `structs.replace` and encoding work unchanged), so
the rest of the code never needs to know which decoder made them.
"""

from __future__ import annotations

import functools
import types
import typing
from typing import Annotated, Any, TypeVar, Union

import msgspec

T = TypeVar("T")


def _bare(tp: Any) -> Any:
    """`tp` with every Meta constraint removed and every struct made lenient."""
    origin = typing.get_origin(tp)
    if origin is Annotated:
        base, *extra = typing.get_args(tp)
        kept = [m for m in extra if not isinstance(m, msgspec.Meta)]
        return Annotated[(_bare(base), *kept)] if kept else _bare(base)
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        return stored(tp)
    if origin in (Union, types.UnionType):
        return Union[tuple(_bare(arg) for arg in typing.get_args(tp))]  # noqa: UP007
    if origin in (list, set, frozenset, tuple, dict):
        args = tuple(_bare(arg) if arg is not Ellipsis else arg for arg in typing.get_args(tp))
        return origin[args] if args else origin
    return tp


@functools.cache
def stored(struct: type[T]) -> type[T]:
    """The lenient decoding type for `struct` (cached: one per struct)."""
    fields = []
    for f in msgspec.structs.fields(struct):
        if f.default is not msgspec.NODEFAULT:
            default = f.default
        elif f.default_factory is not msgspec.NODEFAULT:
            default = msgspec.field(default_factory=f.default_factory)
        else:
            default = msgspec.NODEFAULT
        spec = (f.name, _bare(f.type)) if default is msgspec.NODEFAULT else (
            f.name, _bare(f.type), default)
        fields.append(spec)
    # The base's settings (kw_only, omit_defaults, forbid_unknown_fields...) are
    # inherited, so the lenient type reads and writes exactly the same JSON.
    return msgspec.defstruct(f"Stored{struct.__name__}", fields, bases=(struct,),
                             module=struct.__module__)
