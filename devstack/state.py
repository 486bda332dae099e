"""Where a local stack keeps what outlives it: `.devstack/` (ignored by git).

    .devstack/stack.json        where the running stack listens (ports, URLs, its environment);
                                written at start, removed at a clean stop, read by every
                                devstack command (`token`, `mail`) so they follow `--api-port`
    .devstack/lock              held while a stack runs on this folder: two stacks writing one
                                journal would interleave their writes
    .devstack/data/snapshot.pickle        all of moto's state as of one journal segment
                                          (devstack/snapshot.py)
    .devstack/data/journal.000042.jsonl   every AWS write moto answered since that snapshot,
                                          in numbered segments (devstack/journal.py)
    .devstack/data/ready          written once the first start has created and seeded
                                everything; data without it is an unfinished first start

`make reset` (`python -m devstack reset`) removes data/ while no stack runs.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / ".devstack"


class NoStack(Exception):
    """No local stack answers where the command looked; the message says where and what to do."""


def default_dir() -> Path:
    return Path(os.environ.get("DESTEK_STATE_DIR") or DEFAULT_DIR)


@dataclass
class StateDir:
    root: Path

    @property
    def stack_file(self) -> Path:
        return self.root / "stack.json"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def journal(self) -> Path:
        return self.data / "journal.jsonl"

    @property
    def ready(self) -> Path:
        return self.data / "ready"

    def lock(self) -> Any:
        """Hold the folder for this process (released when the process ends, even by kill -9).

        Raises RuntimeError naming the holder's pid when another stack has it."""
        self.root.mkdir(parents=True, exist_ok=True)
        handle = (self.root / "lock").open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise RuntimeError(
                f"{self.root} is in use by a running stack (pid {holder}); stop it, or give this "
                "one its own folder with --state-dir"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        return handle

    def is_locked(self) -> bool:
        try:
            handle = (self.root / "lock").open("a+")
        except FileNotFoundError:
            return False
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False

    def write_stack(self, where: dict[str, Any]) -> None:
        """Replace stack.json in one rename, so a reader never sees half of it."""
        part = self.stack_file.with_suffix(".json.part")
        part.write_text(json.dumps({"pid": os.getpid(), **where}, indent=2))
        part.replace(self.stack_file)

    def remove_stack(self) -> None:
        try:
            if json.loads(self.stack_file.read_text()).get("pid") == os.getpid():
                self.stack_file.unlink()
        except (FileNotFoundError, ValueError):
            pass

    def running(self) -> dict[str, Any]:
        """What the stack running on this folder wrote at its start.

        Raises NoStack when there is none, or when its process has gone (killed, so it could
        not remove the file)."""
        try:
            where = json.loads(self.stack_file.read_text())
        except FileNotFoundError:
            raise NoStack(
                f"no local stack is running ({self.stack_file} does not exist); "
                "start one with `make run`"
            ) from None
        except ValueError:
            raise NoStack(f"{self.stack_file} is not readable; restart with `make run`") from None
        if not _alive(where.get("pid")):
            raise NoStack(
                f"the stack that wrote {self.stack_file} (pid {where.get('pid')}) is gone; "
                "start one with `make run`"
            )
        return where

    def clear_data(self) -> None:
        """Remove everything under data/ (the caller holds the folder's lock)."""
        shutil.rmtree(self.data, ignore_errors=True)

    def reset(self) -> None:
        if self.is_locked():
            raise RuntimeError(f"a stack is running on {self.root}; stop it first (Ctrl-C)")
        shutil.rmtree(self.data, ignore_errors=True)
        sys.stdout.write(f"removed {self.data}: the next `make run` starts from the demo data\n")


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
