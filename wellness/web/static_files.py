"""The static-files folder as Litestar reads it, with names the operating system refuses
treated as missing files.

Litestar 2.25 turns every OSError but FileNotFoundError from its file system into a 500, so a
request for `/static/` plus 300 characters ("File name too long") was a server error.
"""

from __future__ import annotations

import errno
from typing import Any

from litestar.file_system import BaseLocalFileSystem
from litestar.types import PathType
from litestar.types.file_types import FileInfo

# The file cannot exist under that name: a 404, like any other missing file.
NO_SUCH_NAME = frozenset({errno.ENAMETOOLONG, errno.ENOTDIR, errno.ELOOP, errno.EINVAL})


class StaticFileSystem(BaseLocalFileSystem):
    async def info(self, path: PathType, **kwargs: Any) -> FileInfo:
        try:
            return await super().info(path, **kwargs)
        except OSError as error:
            if error.errno in NO_SUCH_NAME:
                raise FileNotFoundError(error.errno, "No such static file") from None
            raise
        except ValueError:  # an embedded NUL character
            raise FileNotFoundError(errno.ENOENT, "No such static file") from None
