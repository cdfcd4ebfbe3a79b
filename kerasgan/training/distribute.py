"""Where the fast loop runs: ``tf.distribute`` strategies or, on JAX, a ``keras.distribution``, and which process
writes the run folder.

- :func:`make_strategy` names the strategy: ``default`` (one device), ``mirrored`` (every local GPU, or
  logical CPU, holds a copy; the global batch is split between them) or ``multi-worker`` (several machines,
  described by the ``TF_CONFIG`` environment variable; TensorFlow only).
- On JAX, ``mirrored`` is ``keras.distribution.DataParallel`` over every local device (for CPUs, as many as
  ``XLA_FLAGS=--xla_force_host_platform_device_count=N`` makes); the batch is one array sharded between them.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from kerasgan.errors import UserError
from kerasgan.training.checkpoint import CHECKPOINT_NAME, checkpoint_step

if TYPE_CHECKING:
    import tensorflow as tf

STRATEGIES = ("default", "mirrored", "multi-worker")
# What TensorFlow's message about a lost peer says on the line worth showing (connection reset, health check).
LOST_PEER_WORDS = re.compile(r"aborted|is down|reset by peer|deadline|unhealthy", re.IGNORECASE)
FUNCTION_NODE = re.compile(r"\{\{function_node [^}]*\}\}")


def make_strategy(name: str = "default") -> tf.distribute.Strategy:
    """The strategy called ``name`` (see ``STRATEGIES``); build and compile the GAN in its scope."""
    import keras

    if keras.config.backend() == "jax":
        return jax_distribution(name)
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


def jax_distribution(name: str):
    """On JAX: ``None`` for ``default``, data parallel over the local devices for ``mirrored``."""
    import keras

    if name == "default":
        return None
    if name == "mirrored":
        distribution = keras.distribution.DataParallel(devices=keras.distribution.list_devices())
        keras.distribution.set_distribution(distribution)
        return distribution
    if name == "multi-worker":
        raise UserError("--strategy multi-worker is TensorFlow's MultiWorkerMirroredStrategy; on JAX use "
                        "--strategy mirrored (the devices of one machine)")
    raise UserError(f"unknown strategy '{name}' (choose from: {', '.join(STRATEGIES)})")


def replica_count(strategy) -> int:
    """How many devices share a global batch: a ``tf.distribute`` strategy's replicas or a JAX mesh's devices."""
    if strategy is None:
        return 1
    if hasattr(strategy, "num_replicas_in_sync"):
        return strategy.num_replicas_in_sync
    return strategy.device_mesh.devices.size


def is_multi_worker(strategy: tf.distribute.Strategy | None) -> bool:
    """Whether a strategy spans several processes (``multi-worker``, described by ``TF_CONFIG``)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    return resolver is not None and bool(resolver.task_type)


def is_chief(strategy: tf.distribute.Strategy | None = None) -> bool:
    """Whether this process writes the run folder: always, except on the non-chief workers of a multi-worker run."""
    if not is_multi_worker(strategy):
        return True
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
    import tensorflow as tf

    return (tf.errors.UnavailableError, tf.errors.DeadlineExceededError, tf.errors.CancelledError,
            tf.errors.AbortedError)


def check_batch_split(batch_size: int, strategy: tf.distribute.Strategy) -> None:
    """The global batch must split evenly between the replicas (each computes its share of the mean loss)."""
    replicas = replica_count(strategy)
    if batch_size % replicas:
        raise UserError(f"batch size {batch_size} does not split evenly between {replicas} replicas "
                        f"(use a multiple of {replicas})")


def worker_lost_message(error: Exception, run_dir: Path) -> str:
    """What a worker that lost a peer says: what happened, which checkpoint is kept and how to go on."""
    lines = [FUNCTION_NODE.sub("", line).strip() for line in str(getattr(error, "message", error)).splitlines()]
    reason = next((line for line in lines if LOST_PEER_WORDS.search(line)), type(error).__name__)
    checkpoint = run_dir / CHECKPOINT_NAME
    if not checkpoint.is_file():
        return (f"a worker of this multi-worker run was lost ({reason}) before the first checkpoint; start every "
                f"worker again with --overwrite {run_dir}")
    return (f"a worker of this multi-worker run was lost ({reason}); the last checkpoint (step "
            f"{checkpoint_step(checkpoint)}) is {checkpoint}; start every worker again with --resume {run_dir}")
