"""A recorder of the calls that make a written file durable, in the order the code makes them:
`os.fsync` (naming the file or folder flushed by its inode) and the `os.replace`, `os.rename`
and `os.link` that put a file under its final name. A power cut may keep a rename but not the
bytes renamed, or lose a rename not yet in its folder's entry on disk; so the bytes must be
flushed before the move and the folder after it."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

Inode = tuple[int, int]  # (device, inode): one file or folder, whatever its name
MOVES = ("replace", "rename", "link")


def inode_of(path: Path) -> Inode:
    info = path.stat()
    return info.st_dev, info.st_ino


@dataclass(frozen=True)
class Call:
    name: str  # "fsync", or one of MOVES
    inode: Inode  # what was flushed, or the file moved
    destination: Path | None = None  # where a move put it
    is_folder: bool = False


@dataclass
class DurableCalls:
    calls: list[Call] = field(default_factory=list)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> DurableCalls:
        """Record every call through `os` for the rest of the test (the code under test calls
        them as `os.fsync`, `os.replace`, ..., so patching the module reaches it)."""
        real_fsync = os.fsync

        def fsync(fd: Any) -> None:
            info = os.fstat(fd)
            folder = stat.S_ISDIR(info.st_mode)
            self.calls.append(Call("fsync", (info.st_dev, info.st_ino), is_folder=folder))
            real_fsync(fd)

        monkeypatch.setattr(os, "fsync", fsync)
        for name in MOVES:
            monkeypatch.setattr(os, name, self._recording_move(name, getattr(os, name)))
        return self

    def _recording_move(self, name: str, move: Any) -> Any:
        def recorded(source: Any, destination: Any, *args: Any, **kwargs: Any) -> None:
            moved = inode_of(Path(os.fsdecode(source)))
            move(source, destination, *args, **kwargs)
            self.calls.append(Call(name, moved, Path(os.fsdecode(destination)).absolute()))

        return recorded

    def assert_placed_durably(self, final: Path) -> None:
        """`final` got its name from one move; before it, its bytes were fsynced (under the
        temporary name, the same inode); after it, its folder was."""
        file, folder = inode_of(final), inode_of(final.parent)
        moves = [
            index
            for index, call in enumerate(self.calls)
            if call.name in MOVES and call.destination == final.absolute()
        ]
        assert len(moves) == 1, (final, self.calls)
        [move] = moves
        assert self.calls[move].inode == file, "the file moved into place is not the one there"
        file_syncs = [
            i for i, call in enumerate(self.calls) if call.name == "fsync" and call.inode == file
        ]
        assert file_syncs, f"{final}'s bytes were never fsynced"
        assert min(file_syncs) < move, f"{final}'s bytes were fsynced only after the move"
        folder_syncs = [
            i
            for i, call in enumerate(self.calls)
            if call.name == "fsync" and call.inode == folder and call.is_folder
        ]
        assert any(i > move for i in folder_syncs), f"{final.parent} was not fsynced after the move"
