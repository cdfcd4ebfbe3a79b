#!/usr/bin/env bash
# The prepared GPU check: on a machine with an NVIDIA GPU, JAX and PyTorch, no TensorFlow and no network.
# Installs the carried Keras wheel (from .whl/), points keras.datasets at shared/datasets, then times one MNIST
# epoch of the default recipe's MLP and of the DCGAN at batch 64, 256 and 1024: Keras on JAX, Keras on PyTorch
# (eager and torch.compile) and the plain PyTorch loop, and the DCGAN on JAX in mixed bfloat16. About 6 minutes.
#     bash benchmarks/gpu_check.sh
set -uo pipefail
cd "$(dirname "$0")/.."

if compgen -G ".whl/*.whl" > /dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    && export PYTHONPATH="/tmp/site:${PYTHONPATH:-}"
fi
keras_home="$(mktemp -d)"
ln -s "$PWD/shared/datasets/keras/datasets" "$keras_home/datasets"
export KERAS_HOME="$keras_home" KERASGAN_OFFLINE=1 XLA_PYTHON_CLIENT_PREALLOCATE=false
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true

run() { timeout "$1" "${@:2}" || echo "(stopped: $* took more than $1 s or failed)"; }
run 120 env KERAS_BACKEND=jax python3 benchmarks/gpu_epochs.py
run 90 env KERAS_BACKEND=jax python3 benchmarks/gpu_epochs.py --architectures dcgan --dtype-policy mixed_bfloat16
run 60 env KERAS_BACKEND=torch python3 benchmarks/gpu_epochs.py --batch-sizes 256 1024
run 60 env KERAS_BACKEND=torch python3 benchmarks/gpu_epochs.py --torch-compile --batch-sizes 256 1024
run 40 env KERAS_BACKEND=torch python3 benchmarks/gpu_epochs.py --plain-torch
run 40 env KERAS_BACKEND=torch python3 benchmarks/gpu_epochs.py --plain-torch --torch-compile
