"""How deeply a JSON text nests, judged from its bytes before any decoder sees it. Pure.

Decoders recurse once per `[` or `{`: a body nested about a thousand levels deep makes them
raise RecursionError. `too_deep` tells such a body apart cheaply (every step runs in C), so it
can be refused before decoding.
"""

from __future__ import annotations

import re

# A complete JSON string: brackets inside it are text, not structure.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_OPENERS_AND_CLOSERS = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")


def too_deep(body: bytes, limit: int) -> bool:
    """True if arrays and objects in `body` nest more than `limit` deep.

    Text that is not JSON (brackets left unclosed) may pass with up to twice `limit` levels;
    the decoder refuses it, far within its recursion limit.

    1. Fewer opening brackets than the limit (almost every body): not too deep.
    2. Otherwise drop strings and everything but brackets, then remove innermost `[]` pairs
       once per level: a body that still has a pair after `limit` rounds nests deeper.
    3. Brackets left unclosed (a truncated or hostile body) count as levels too.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b"", body).translate(_OPENERS_AND_CLOSERS, _NOT_BRACKETS)
    for _ in range(limit):
        inner = brackets.replace(b"[]", b"")
        if len(inner) == len(brackets):
            break
        brackets = inner
    return b"[]" in brackets or brackets.count(b"[") > limit
