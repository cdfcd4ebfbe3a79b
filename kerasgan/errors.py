"""The exceptions a command turns into one line and an exit code: bad input (2), a failed run (1), a run stopped by a
signal (128 + the signal's number)."""

from __future__ import annotations

import signal


class UserError(Exception):
    """Bad input from the user (a typo, a missing file, wrong shapes); not a bug in kerasgan."""


class TrainingFailed(RuntimeError):
    """Training could not go on (e.g. the loss became NaN); scripts show one line and exit with code 1."""


class WorkerLost(TrainingFailed):
    """A worker of a multi-worker run died or stopped answering; the run can go on with ``--resume``."""


class RunStopped(BaseException):
    """A signal (SIGTERM, Ctrl-C) stopped the command; the message says where and what was saved.

    Like ``KeyboardInterrupt`` it is not an ``Exception``: raised from a signal handler in the middle of a layer
    call, it passes every ``except Exception`` on its way to the command."""

    def __init__(self, message: str, stopped_by: signal.Signals):
        super().__init__(message)
        self.signal = stopped_by

    @property
    def exit_code(self) -> int:
        """The shell's code for a process ended by the signal: 143 for SIGTERM, 130 for Ctrl-C."""
        return 128 + int(self.signal)
