"""Building the web layer's msgspec shapes from the records they describe."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

S = TypeVar("S", bound=msgspec.Struct)


def copied(shape: type[S], source: object, **given: Any) -> S:
    """A `shape` whose fields are the same-named attributes of `source`, but those in `given`.

    For an output shape that mirrors a record: the shape still names every field it sends, so
    nothing it does not name leaves, as it would if `source` itself were serialised."""
    read = {name: getattr(source, name) for name in shape.__struct_fields__ if name not in given}
    return shape(**read, **given)
