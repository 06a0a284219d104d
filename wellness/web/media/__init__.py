"""Media serving: stored audio/video and cover pictures, with byte ranges, for those allowed.

The modules, from the request inwards:
- `controller`: the `/media` routes (play, cover, nginx's access check) with the full checks,
  and `MediaPlugin`, which registers them and puts `MediaFastPath` in front of the sessions;
- `grants`: recent "this browser session may fetch this URL" decisions, kept for seconds;
- `fast_path`: answering granted requests before the session middleware (`MediaFastPath`) or
  before the whole app (`GrantedMediaServer`, for the server), and a quiet access log;
- `conditions`: what Range, If-Range, If-None-Match and HEAD make of the answer (`plan`), and
  the player's plain range recognised with the least work (`quick_range`);
- `representation`: `MediaFile`, the stored file with its headers encoded once;
- `response`: sending a planned answer, and the Litestar response that does it;
- `files`: descriptors kept open between requests (let go when idle or deleted meanwhile),
  and spans read with `os.pread`.
"""

from wellness.web.media.controller import MediaController, MediaFolder, MediaPlugin
from wellness.web.media.fast_path import GrantedMediaServer, QuietGrantedRanges
from wellness.web.media.files import OPEN_FILES, pruning_open_files

__all__ = [
    "OPEN_FILES",
    "GrantedMediaServer",
    "MediaController",
    "MediaFolder",
    "MediaPlugin",
    "QuietGrantedRanges",
    "pruning_open_files",
]
