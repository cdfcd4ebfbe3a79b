"""Stopping safely on SIGTERM and Ctrl-C: a run finishes the steps it is running, writes a checkpoint and says how
to resume.

A scheduler, a spot machine going away or a person at the keyboard stops a job with SIGTERM or SIGINT. While a
command runs, :func:`stop_on_signals` catches both. While the fit loop runs (:func:`armed`), the first signal
only asks it to stop after the steps it is running (:class:`~kerasgan.training.callbacks.RunState` writes the
checkpoint there). At any other time the command stops at once, saying what it was doing. A second signal ends
the process at once. The exit code is the shell's, 128 + the signal's number: 143 for SIGTERM, 130 for Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from typing import Callable, Iterator

from kerasgan.errors import RunStopped

SIGNALS = (signal.SIGTERM, signal.SIGINT)
# What a stop at once leaves, said after "stopped (SIGTERM)": nothing for a command that does not train.
ANY_COMMAND = ""
STARTING = "before training began: nothing to save"
FINISHED = "after the last step, before every result was written: the checkpoint holds all the steps"
UNSAVED = "in a run of the articles' loop, which keeps no checkpoint"


class StopRequest:
    """The signal that asked the run to stop (``None`` until one does), whether a fit loop is there to stop it
    (``armed``), and what a stop at once would leave (``stage``, said in its message). In a JAX multi-process run,
    ``agreement(n)`` says whether every process stops at its ``n``-th check (SIGTERM reaches JAX there)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Nothing asked yet, no fit loop running."""
        self.signal: signal.Signals | None = None
        self.armed = False
        self.stage = ANY_COMMAND
        self.agreement: Callable[[int], bool] | None = None
        self.checks = 0

    def handle(self, signum: int, frame) -> None:
        """Signal handler: the first signal asks for a stop, the second ends the process."""
        if self.signal is not None:
            print(f"\nstopped at once ({signal.Signals(signum).name}, a second signal): the steps since the last "
                  f"checkpoint are lost", file=sys.stderr, flush=True)
            os._exit(128 + signum)
        self.signal = signal.Signals(signum)
        if not self.armed:
            raise RunStopped(" ".join(filter(None, (f"stopped ({self.signal.name})", self.stage))), self.signal)
        print(f"\n{self.signal.name}: finishing the running steps and writing a checkpoint (a second signal stops "
              f"at once)", file=sys.stderr, flush=True)


REQUEST = StopRequest()


@contextlib.contextmanager
def stop_on_signals() -> Iterator[StopRequest]:
    """Catch SIGTERM and SIGINT for the time of a command (only in the main thread, where Python can). A signal
    the process was started ignoring stays ignored, as Python leaves it: a shell script's background job ignores
    Ctrl-C, which is meant for the script."""
    if threading.current_thread() is not threading.main_thread():
        yield REQUEST
        return
    previous = {number: signal.signal(number, REQUEST.handle) for number in SIGNALS
                if signal.getsignal(number) is not signal.SIG_IGN}
    REQUEST.reset()
    try:
        yield REQUEST
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        REQUEST.reset()  # the next command (in this process: a notebook, a test) starts unasked


def training_begins(checkpoints: bool = True) -> None:
    """From here on the command trains: a stop before the fit loop says there was nothing to save; in a run of the
    articles' loop (no ``checkpoints``), that the loop keeps none."""
    REQUEST.stage = STARTING if checkpoints else UNSAVED


@contextlib.contextmanager
def armed() -> Iterator[StopRequest]:
    """While the fit loop runs, a signal asks it to stop after its running steps instead of stopping at once."""
    REQUEST.armed = True
    try:
        yield REQUEST
        REQUEST.stage = FINISHED
    finally:
        REQUEST.armed = False


@contextlib.contextmanager
def agreed_stops(agreement: Callable[[int], bool]) -> Iterator[StopRequest]:
    """While a multi-process fit loop runs, the processes stop where ``agreement`` says, all at the same check.

    JAX's preemption service takes SIGTERM from every process of a ``jax.distributed`` run and agrees on a step
    (``multihost_utils.reached_preemption_sync_point``): a signal to any one process stops them all there."""
    REQUEST.agreement, REQUEST.checks = agreement, 0
    try:
        yield REQUEST
    finally:
        REQUEST.agreement = None


def check_for_stop() -> signal.Signals | None:
    """:func:`stop_requested`, asking the processes' ``agreement`` first: the fit loop calls it once after every
    compiled execution, in every process."""
    if REQUEST.agreement is not None and REQUEST.armed and REQUEST.signal is None:
        REQUEST.checks += 1
        if REQUEST.agreement(REQUEST.checks):
            REQUEST.signal = signal.SIGTERM
    return stop_requested()


def stop_requested() -> signal.Signals | None:
    """The signal that asked the running fit loop to stop, or ``None``."""
    return REQUEST.signal if REQUEST.armed else None


def stopped_at(step: int, folder) -> RunStopped:
    """The stop of a fit loop at ``step``, saved in ``folder``'s checkpoint."""
    return RunStopped(f"stopped at step {step} ({REQUEST.signal.name}); resume with: kerasgan train --resume {folder}",
                      REQUEST.signal)
