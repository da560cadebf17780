"""`python -m scheduler.child PARENT_PID -- CMD…`: exec CMD so that it dies with its scheduler.

A crawl runs in its own process group (so a timeout can signal all of it), which also means a
scheduler killed with SIGKILL would leave it running: its lease would lapse while it still
crawls, and the next scheduler could start the same job beside it. Linux's parent-death
signal closes that gap; it survives exec, so this shim sets it and becomes the crawl. It is a
separate step rather than a `preexec_fn` because forking a threaded scheduler must not run
Python code between fork and exec.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python -m scheduler.child PARENT_PID -- CMD...", file=sys.stderr)
        return 2
    parent, command = int(argv[0]), argv[2:]
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the lease TTL remains the only guard
        pass
    if os.getppid() != parent:  # the scheduler died before the signal was armed
        return 1
    os.execvp(command[0], command)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
