"""How much memory this process may use: the machine's, or less inside a container or a job scheduler's memory
cgroup. The input pipeline asks before it holds a data set in memory."""

from __future__ import annotations

import os
from pathlib import Path


def memory_size() -> int:
    """The bytes of memory this process may use: the machine's, or its memory cgroup's limit (a container, a job
    scheduler) when lower."""
    size = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit in cgroup_limit_files():
        try:
            size = min(size, int(limit.read_text().strip()))
        except (OSError, ValueError):  # unreadable, or "max": no limit
            continue
    return size


def cgroup_limit_files() -> list[Path]:
    """The memory limit files of this process's cgroups (v2 ``memory.max``, v1 ``memory.limit_in_bytes``)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return []
    files = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":
            files.append(Path("/sys/fs/cgroup") / path.lstrip("/") / "memory.max")
        elif "memory" in controllers.split(","):
            files.append(Path("/sys/fs/cgroup/memory") / path.lstrip("/") / "memory.limit_in_bytes")
    return files
