#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal and answers one prompt.

Usage: PTY_PROMPT=REGEX PTY_ANSWER=TEXT pty_answer.py COMMAND [ARGS...]

The AWS CLI reads the MFA code of a role profile with mfa_serial through
getpass, from the controlling terminal (and flushes pending input first), so
the answer can only be typed after the prompt appeared. Everything the
command writes to the terminal is copied to stdout; the exit status is the
command's. Exits 124 if the command runs longer than PTY_TIMEOUT seconds
(default 60).
"""

import os
import pty
import re
import select
import signal
import sys
import time


def main():
    prompt = re.compile(os.environ.get("PTY_PROMPT", r"Enter MFA code for \S+: ").encode())
    answer = os.environ.get("PTY_ANSWER", "").encode() + b"\n"
    deadline = time.monotonic() + float(os.environ.get("PTY_TIMEOUT", "60"))
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(sys.argv[1], sys.argv[1:])
        finally:
            os._exit(127)
    seen = b""
    answered = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            sys.stdout.buffer.write(b"\npty_answer: timeout\n")
            sys.exit(124)
        r, _, _ = select.select([fd], [], [], min(left, 0.5))
        if not r:
            continue
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        if not answered:
            seen += data
            if prompt.search(seen):
                os.write(fd, answer)
                answered = True
    _, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status):
        sys.exit(os.WEXITSTATUS(status))
    sys.exit(128 + os.WTERMSIG(status))


if __name__ == "__main__":
    main()
