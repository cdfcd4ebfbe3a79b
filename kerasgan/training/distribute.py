"""Where the fast loop runs: ``tf.distribute`` strategies or, on JAX, a ``keras.distribution``, and which process
writes the run folder.

- :func:`make_strategy` names the strategy: ``default`` (one device), ``mirrored`` (every local GPU, or
  logical CPU, holds a copy; the global batch is split between them) or ``multi-worker`` (several machines,
  described by the ``TF_CONFIG`` environment variable; TensorFlow only).
- On JAX, ``mirrored`` is ``keras.distribution.DataParallel`` over every local device (for CPUs, as many as
  ``XLA_FLAGS=--xla_force_host_platform_device_count=N`` makes); the batch is one array sharded between them.
  ``multi-process`` is the same over every device of several processes (``jax.distributed``, CPU collectives
  through gloo): each process feeds its share of every global batch, and a :func:`peer_watch` ends the others
  with one line when one is lost.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from kerasgan.errors import UserError
from kerasgan.training.checkpoint import CHECKPOINT_NAME, checkpoint_step
from kerasgan.training.stopping import agreed_stops

if TYPE_CHECKING:
    import tensorflow as tf

STRATEGIES = ("default", "mirrored", "multi-worker", "multi-process")
# A process of a multi-process run that has not said it is alive for this long is lost (JAX's own heartbeat
# gives up after 100 s, and then aborts the others with a stack trace); each says so every HEARTBEAT_S.
PEER_SILENCE_S = 30
HEARTBEAT_S = 2
# What TensorFlow's message about a lost peer says on the line worth showing (connection reset, health check).
LOST_PEER_WORDS = re.compile(r"aborted|is down|reset by peer|closed by peer|deadline|unhealthy|silent|unreachable",
                             re.IGNORECASE)
# Noise around the reason in TensorFlow's and JAX's messages: graph node names, JAX's dispatch prefixes (one per
# nested call), C++ source locations.
MESSAGE_NOISE = re.compile(r"\{\{function_node [^}]*\}\}|(Error dispatching computation: )+|\[[^\]\s]+\.cc:\d+\] ")


@dataclass(frozen=True)
class Processes:
    """The processes of a JAX multi-process run: where process 0 listens, how many there are, which this one is."""

    coordinator: str
    count: int
    index: int


def make_strategy(name: str = "default", processes: Processes | None = None) -> tf.distribute.Strategy:
    """The strategy called ``name`` (see ``STRATEGIES``); build and compile the GAN in its scope."""
    import keras

    if keras.config.backend() == "jax":
        return jax_distribution(name, processes)
    if name == "multi-process":
        raise UserError("--strategy multi-process is JAX's (jax.distributed); on TensorFlow use --strategy "
                        "multi-worker with TF_CONFIG")
    if keras.config.backend() != "tensorflow":
        raise UserError(f"--strategy {name} needs the TensorFlow or JAX backend (this is '{keras.config.backend()}')")
    import tensorflow as tf

    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multi-worker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise UserError(f"unknown strategy '{name}' (choose from: {', '.join(STRATEGIES)})")


def jax_distribution(name: str, processes: Processes | None = None):
    """On JAX: ``None`` for ``default``, data parallel over the local devices for ``mirrored``, over the devices of
    every process for ``multi-process`` (which joins the other ``processes`` first)."""
    import keras

    if name == "default":
        return None
    if name == "mirrored":
        distribution = keras.distribution.DataParallel(devices=keras.distribution.list_devices())
        keras.distribution.set_distribution(distribution)
        return distribution
    if name == "multi-process":
        join_processes(processes)
        # Each process feeds its own share of the global batch (see process_share), so Keras must not split it.
        distribution = keras.distribution.DataParallel(devices=keras.distribution.list_devices(),
                                                       auto_shard_dataset=False)
        keras.distribution.set_distribution(distribution)
        return distribution
    if name == "multi-worker":
        raise UserError("--strategy multi-worker is TensorFlow's MultiWorkerMirroredStrategy; on JAX use "
                        "--strategy mirrored (one machine) or multi-process (several)")
    raise UserError(f"unknown strategy '{name}' (choose from: {', '.join(STRATEGIES)})")


def join_processes(processes: Processes | None) -> None:
    """``jax.distributed.initialize`` with the processes' coordinator, count and index, collectives on CPUs
    through gloo; it waits until every process has joined."""
    import jax

    if processes is None:
        raise UserError("--strategy multi-process needs --coordinator HOST:PORT, --num-processes N and --process-id I")
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(coordinator_address=processes.coordinator, num_processes=processes.count,
                               process_id=processes.index)


def keep_local_copy(model, strategy) -> None:
    """After a JAX multi-process run trains, each process holds its own copy of ``model``'s weights and optimizer
    state (both replicated; the state holds G's moving average), so that what follows runs in each process alone:
    the chief draws and scores samples while the others end. (On weights that span processes every computation
    needs every process.)"""
    if not is_multi_process(strategy):
        return
    import jax
    import keras
    import numpy as np

    keras.distribution.set_distribution(None)
    device = jax.local_devices()[0]
    optimizer_variables = model.optimizer.variables if getattr(model, "optimizer", None) else []
    for variable in {id(variable): variable for variable in [*model.variables, *optimizer_variables]}.values():
        variable._layout = None  # Keras 3.15 spreads every value given to a variable with a layout over the mesh
        variable._value = jax.device_put(np.asarray(variable.value), device)


def is_multi_process(strategy) -> bool:
    """Whether ``strategy`` is JAX's ``multi-process`` distribution spanning several processes."""
    return is_jax_distribution(strategy) and is_multi_worker(strategy)


def is_jax_distribution(strategy) -> bool:
    """Whether ``strategy`` is a ``keras.distribution`` (JAX's ``mirrored`` or ``multi-process``)."""
    return strategy is not None and hasattr(strategy, "device_mesh")


def process_share(strategy) -> tuple[int, int]:
    """``(index, count)``: this process's share of every global batch. Under a JAX multi-process distribution each
    process feeds the batch's ``index``-th slice of ``count``; elsewhere a process feeds the whole batch (a
    ``tf.distribute`` strategy splits it itself)."""
    if not is_jax_distribution(strategy):
        return 0, 1
    import jax

    return jax.process_index(), jax.process_count()


def replica_count(strategy) -> int:
    """How many devices share a global batch: a ``tf.distribute`` strategy's replicas or a JAX mesh's devices."""
    if strategy is None:
        return 1
    if hasattr(strategy, "num_replicas_in_sync"):
        return strategy.num_replicas_in_sync
    return strategy.device_mesh.devices.size


def is_multi_worker(strategy: tf.distribute.Strategy | None) -> bool:
    """Whether a strategy spans several processes (``multi-worker``, described by ``TF_CONFIG``, or JAX's
    ``multi-process``)."""
    if is_jax_distribution(strategy):
        return process_share(strategy)[1] > 1
    resolver = getattr(strategy, "cluster_resolver", None)
    return resolver is not None and bool(resolver.task_type)


def is_chief(strategy: tf.distribute.Strategy | None = None) -> bool:
    """Whether this process writes the run folder: always, except on the non-chief workers of a multi-worker run."""
    if not is_multi_worker(strategy):
        return True
    if is_jax_distribution(strategy):
        return process_share(strategy)[0] == 0
    resolver = strategy.cluster_resolver
    if resolver.task_type == "chief":
        return True
    has_chief = "chief" in json.loads(os.environ.get("TF_CONFIG", "{}")).get("cluster", {})
    return resolver.task_type == "worker" and resolver.task_id == 0 and not has_chief


def lost_worker_errors(strategy) -> tuple[type[Exception], ...]:
    """The errors a multi-worker run's collectives raise when another worker dies: its connection is reset, or
    TensorFlow's health check (a ping every 30 s) finds it gone and aborts them. None outside such a run."""
    if not is_multi_worker(strategy):
        return ()
    if is_jax_distribution(strategy):  # JAX raises a lost peer's gloo error as either (see is_lost_peer)
        import jax

        return (jax.errors.JaxRuntimeError, ValueError)
    import tensorflow as tf

    return (tf.errors.UnavailableError, tf.errors.DeadlineExceededError, tf.errors.CancelledError,
            tf.errors.AbortedError)


def is_lost_peer(error: Exception, strategy) -> bool:
    """Whether ``error``, one of :func:`lost_worker_errors`, says a peer was lost: always on TensorFlow; on JAX
    only when its message says so (a ``ValueError`` may be any other bug)."""
    return not is_jax_distribution(strategy) or bool(LOST_PEER_WORDS.search(str(error)))


def worker_name(strategy) -> str:
    """What the processes of a run are called: TensorFlow's ``worker``s, JAX's ``process``es."""
    return "process" if is_jax_distribution(strategy) else "worker"


def check_batch_split(batch_size: int, strategy: tf.distribute.Strategy) -> None:
    """The global batch must split evenly between the replicas (each computes its share of the mean loss)."""
    replicas = replica_count(strategy)
    if batch_size % replicas:
        raise UserError(f"batch size {batch_size} does not split evenly between {replicas} replicas "
                        f"(use a multiple of {replicas})")


def worker_lost_message(error: Exception, run_dir: Path, worker: str = "worker") -> str:
    """What a worker (a JAX ``process``) that lost a peer says: what happened, which checkpoint is kept and how to
    go on."""
    lines = [MESSAGE_NOISE.sub("", line).strip() for line in str(getattr(error, "message", error)).splitlines()]
    reason = next((line for line in lines if LOST_PEER_WORDS.search(line)), type(error).__name__)
    checkpoint = run_dir / CHECKPOINT_NAME
    lost = f"a {worker} of this multi-{worker} run was lost ({reason})"
    if not checkpoint.is_file():
        return f"{lost} before the first checkpoint; start every {worker} again with --overwrite {run_dir}"
    return (f"{lost}; the last checkpoint (step {checkpoint_step(checkpoint)}) is {checkpoint}; start every "
            f"{worker} again with --resume {run_dir}")


@contextlib.contextmanager
def peer_watch(strategy, run_dir: Path) -> Iterator[None]:
    """While a JAX multi-process run trains, every process says it is alive every ``HEARTBEAT_S`` through the
    coordinator; a peer silent for ``PEER_SILENCE_S``, or a coordinator gone, ends this process with one line
    (:func:`worker_lost_message`) and exit code 1. (Its collectives would otherwise wait for the lost process until
    JAX aborts them with a stack trace.) SIGTERM to any process stops them all at one step
    (:func:`~kerasgan.training.stopping.agreed_stops`). Elsewhere it does nothing."""
    if not is_multi_process(strategy):
        yield
        return
    from jax.experimental.multihost_utils import reached_preemption_sync_point

    done = threading.Event()
    watcher = threading.Thread(target=watch_peers, args=(done, run_dir), daemon=True)
    watcher.start()
    try:
        with agreed_stops(reached_preemption_sync_point):
            yield
    finally:
        done.set()
        watcher.join()


def watch_peers(done: threading.Event, run_dir: Path) -> None:
    """:func:`peer_watch`'s thread: count this process's heartbeats in the coordinator's key-value store and read
    the others', until ``done``."""
    import jax
    from jax._src.distributed import global_state

    client, me, count = global_state.client, jax.process_index(), jax.process_count()
    beats, last_change = {}, {}
    for beat in range(sys.maxsize):
        try:
            client.key_value_set(f"kerasgan/alive/{me}", str(beat), allow_overwrite=True)
            now = time.monotonic()
            for peer in range(count):
                seen = heartbeat(client, peer) if peer != me else str(beat)
                if seen is not None and beats.get(peer) != seen:  # a peer still loading its data is not silent
                    beats[peer], last_change[peer] = seen, now
            silent = [peer for peer, changed in last_change.items() if now - changed > PEER_SILENCE_S]
            reason = silent and f"process {silent[0]} silent for {PEER_SILENCE_S} s"
        except Exception as error:  # the coordinator (process 0) is gone
            reason = f"the coordinator is unreachable: {str(error).splitlines()[0]}"
        if reason and not done.is_set():
            lost_process_exit(reason, run_dir)
        if done.wait(HEARTBEAT_S):
            return


def heartbeat(client, process: int) -> str | None:
    """The last heartbeat count ``process`` wrote, ``None`` before its first."""
    try:
        return client.key_value_try_get(f"kerasgan/alive/{process}")
    except Exception as error:
        if "NOT_FOUND" in str(error):
            return None
        raise


def lost_process_exit(reason: str, run_dir: Path) -> None:
    """End this process at once with the lost-process line: its main thread waits inside a collective."""
    sys.stdout.flush()
    print(f"error: {worker_lost_message(RuntimeError(reason), run_dir, 'process')}", file=sys.stderr, flush=True)
    os._exit(1)
