"""Training throughput of one GAN in four loops: the articles' loop, the parity loop, the fast loop, PyTorch.

A measurement, not part of the installable package: ``scripts/benchmark.py`` runs it, notebook 06 shows it.

Every variant trains the same architecture on the same in-memory images. Each is warmed up first
(compilation excluded), then timed in short chunks taken in turn with the other variants, so that a
change in the machine's load hits all of them alike; a variant's speed is the median of its chunks.
The fast loop is also compared with the machine's own float32 matmul peak, with the FLOPs of a step
counted from the models' Dense kernels (see ``FLOP_FORMULA``).
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import time
from dataclasses import dataclass, field
from typing import Callable

import keras
import numpy as np
import tensorflow as tf

from benchmarks.torch_loop import is_dense_only, torch_gan_step
from kerasgan.gans import build_gan
from kerasgan.nets import build_gan_pair
from kerasgan.training.parity import initialize_model, train
from kerasgan.data import make_dataset

BATCH_SIZES = (32, 128, 256)
FAST_CONFIGS = ((False, 1), (False, 25), (True, 1), (True, 25))  # (jit_compile, steps_per_execution)
MATMUL_SIZES = (512, 1024, 2048)
ARTICLES = "articles"
PARITY = "parity"
TORCH = "pytorch"
FLOP_FORMULA = (
    "FLOPs per image per step = 2 * (3*G_mac + 7*D_mac): a MAC is 2 FLOPs; G forward + backward "
    "(input and weight gradients) = 3*G_mac; D forward + backward on the real and the fake batch = 2*3*D_mac; "
    "the generator loss's gradient back through D to the fake images = 1*D_mac. Dense matmuls only "
    "(no bias, activation, BatchNorm or optimizer work)"
)
TARGETS = (
    ("fast loop >= 12x the articles' loop at batch 32", 12.0),
    ("fast loop >= 2x PyTorch eager (its faster thread count) at batch 32", 2.0),
    ("fast loop >= 2x PyTorch eager (its faster thread count) at batch 128", 2.0),
    ("fast loop >= 80% of the matmul peak at batch 256", 0.8),
)


@dataclass
class Variant:
    """One way of training, ready to run: ``run(iterations)`` trains that many steps and returns seconds."""

    name: str
    run: Callable[[int], float]
    config: dict = field(default_factory=dict)
    step_multiple: int = 1
    chunks_s: list[tuple[int, float]] = field(default_factory=list)

    def it_per_s(self) -> float:
        """Median iterations per second over the timed chunks."""
        return statistics.median(iterations / seconds for iterations, seconds in self.chunks_s)


def fast_name(jit_compile: bool, steps_per_execution: int) -> str:
    """The variant name of one fast-loop configuration, e.g. ``fast jit=0 spe=25``."""
    return f"fast jit={int(jit_compile)} spe={steps_per_execution}"


def synthetic_images(count: int, img_shape: tuple = (28, 28, 1), seed: int = 0) -> np.ndarray:
    """Uniform noise in the generator's range [-1, 1] shaped like MNIST: speed does not depend on pixel values."""
    return np.random.default_rng(seed).uniform(-1.0, 1.0, (count, *img_shape)).astype(np.float32)


def dense_kernel_shapes(model: keras.Model) -> list[tuple[int, int]]:
    """The ``(inputs, units)`` shape of every Dense kernel in a model, nested models included, in order."""
    shapes = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            shapes += dense_kernel_shapes(layer)
        elif isinstance(layer, keras.layers.Dense):
            shapes.append(tuple(int(dim) for dim in layer.kernel.shape))
    return shapes


def dense_macs(model: keras.Model) -> int:
    """Multiply-accumulates of one image's forward pass through the model's Dense layers."""
    return sum(inputs * units for inputs, units in dense_kernel_shapes(model))


def flops_per_image(generator: keras.Model, discriminator: keras.Model) -> int:
    """Matmul FLOPs one image costs in one GAN training step, by the convention of ``FLOP_FORMULA``."""
    return 2 * (3 * dense_macs(generator) + 7 * dense_macs(discriminator))


def articles_variant(name: str, architecture: str, images: np.ndarray, batch_size: int, use_predict: bool) -> Variant:
    """The parity ``train`` loop: ``use_predict=True`` is the articles' loop exactly, False the loop as shipped."""
    discriminator, generator, combined = initialize_model(architecture=architecture)

    def run(iterations: int) -> float:
        start = time.perf_counter()
        train(discriminator, generator, combined, images, epochs=iterations, batch_size=batch_size,
              sample_path=None, progress=False, use_predict=use_predict, seed=None)
        return time.perf_counter() - start

    return Variant(name, run, {"use_predict": use_predict})


class EpochTimer(keras.callbacks.Callback):
    """Records how long the last epoch took (``fit`` has synced its metrics by ``on_epoch_end``)."""

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds = time.perf_counter() - self.start


def fit_variant(name: str, model: keras.Model, dataset, config: dict, step_multiple: int) -> Variant:
    """A compiled model trained by ``fit`` for a given number of steps of an endless dataset."""
    timer = EpochTimer()

    def run(iterations: int) -> float:
        model.fit(dataset, epochs=1, steps_per_epoch=iterations, shuffle=False, verbose=0, callbacks=[timer])
        return timer.seconds

    return Variant(name, run, config, step_multiple)


def fast_variant(architecture: str, dataset, jit_compile: bool, steps_per_execution: int) -> Variant:
    """The compiled fast loop, ``GAN.fit``, in one jit / steps-per-execution configuration."""
    gan = build_gan(architecture, seed=0, jit_compile=jit_compile, steps_per_execution=steps_per_execution)
    config = {"jit_compile": jit_compile, "steps_per_execution": steps_per_execution}
    return fit_variant(fast_name(jit_compile, steps_per_execution), gan, dataset, config, steps_per_execution)


def endless_dataset(images: np.ndarray, batch_size: int):
    """The fast loop's input: in-memory images, batched, repeated forever."""
    return make_dataset(images, batch_size, shuffle=False).repeat()


def torch_available() -> bool:
    """Whether PyTorch can be imported (it is optional: ``pip install torch``)."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def torch_variant(architecture: str, images: np.ndarray, batch_size: int, threads: int) -> Variant:
    """The PyTorch "GAN in 6 minutes" loop on the same MLP (:func:`benchmarks.torch_loop.torch_gan_step`)."""
    import torch

    step = torch_gan_step(architecture, images, batch_size)

    def run(iterations: int) -> float:
        torch.set_num_threads(threads)
        start = time.perf_counter()
        for _ in range(iterations):
            step()
        return time.perf_counter() - start

    return Variant(f"{TORCH} {threads} thread{'s' * (threads > 1)}", run, {"torch": torch.__version__, "threads": threads})


def torch_thread_counts() -> list[int]:
    """One thread and every core: OpenMP's many threads collapse when other jobs share the cores, one does not."""
    return sorted({1, os.cpu_count() or 1})


def make_variants(architecture: str, images: np.ndarray, batch_size: int, fast_configs, with_torch: bool) -> list[Variant]:
    """Every variant to time at one batch size, built but not yet warmed up."""
    dataset = endless_dataset(images, batch_size)
    variants = [articles_variant(ARTICLES, architecture, images, batch_size, use_predict=True),
                articles_variant(PARITY, architecture, images, batch_size, use_predict=False)]
    variants += [fast_variant(architecture, dataset, jit, spe) for jit, spe in fast_configs]
    if with_torch:
        variants += [torch_variant(architecture, images, batch_size, threads) for threads in torch_thread_counts()]
    return variants


def chunk_iterations(variant: Variant, chunk_s: float, warmup_iterations: int) -> int:
    """Warm a variant up (its first run compiles), then size one timed chunk to take about ``chunk_s``."""
    multiple = variant.step_multiple
    warmup = max(1, math.ceil(warmup_iterations / multiple)) * multiple
    variant.run(warmup)
    rate = warmup / variant.run(warmup)
    return max(1, round(rate * chunk_s / multiple)) * multiple


def time_interleaved(variants: list[Variant], chunk_s: float, rounds: int, warmup_iterations: int, log) -> None:
    """Warm every variant up, then time ``rounds`` chunks of each, taking the variants in turn."""
    sizes = {}
    for variant in variants:
        sizes[variant.name] = chunk_iterations(variant, chunk_s, warmup_iterations)
        log(f"  warmed up {variant.name}: {sizes[variant.name]} iterations per chunk")
    for _ in range(rounds):
        for variant in variants:
            iterations = sizes[variant.name]
            variant.chunks_s.append((iterations, variant.run(iterations)))


def matmul_gflops(size: int, min_time_s: float) -> float:
    """Best float32 GFLOP/s of one ``tf.matmul`` of two ``size`` x ``size`` matrices, over ``min_time_s`` of calls.

    The best of many short calls, not the mean of a few long ones: on a shared machine it is the one
    least slowed by other jobs.
    """
    a = tf.random.normal((size, size))
    b = tf.random.normal((size, size))
    matmul = tf.function(lambda: tf.matmul(a, b))
    matmul().numpy()
    best_s, spent_s = math.inf, 0.0
    while spent_s < min_time_s or best_s == math.inf:
        start = time.perf_counter()
        matmul().numpy()
        elapsed = time.perf_counter() - start
        best_s, spent_s = min(best_s, elapsed), spent_s + elapsed
    return 2 * size**3 / best_s / 1e9


def matmul_peak(sizes=MATMUL_SIZES, min_time_s: float = 1.0) -> dict:
    """The machine's measured float32 matmul peak: the best GFLOP/s over a few square sizes."""
    by_size = {str(size): matmul_gflops(size, min_time_s) for size in sizes}
    return {"gflops": max(by_size.values()), "by_size_gflops": by_size}


def best_peak(first: dict, second: dict) -> dict:
    """The better of two peak measurements (taken before and after the variants), keeping both."""
    return {"gflops": max(first["gflops"], second["gflops"]),
            "before_by_size_gflops": first["by_size_gflops"], "after_by_size_gflops": second["by_size_gflops"]}


def step_matmul_shapes(generator: keras.Model, discriminator: keras.Model, batch_size: int) -> list[tuple]:
    """The ``(a_shape, b_shape, transpose_a, transpose_b)`` of every matmul ``FLOP_FORMULA`` counts in one step."""
    def passes(shapes, count_by_kind):
        matmuls = []
        for inputs, units in shapes:
            kinds = {"forward": ((batch_size, inputs), (inputs, units), False, False),
                     "input_grad": ((batch_size, units), (inputs, units), False, True),
                     "weight_grad": ((batch_size, inputs), (batch_size, units), True, False)}
            matmuls += [kinds[kind] for kind, count in count_by_kind.items() for _ in range(count)]
        return matmuls

    return (passes(dense_kernel_shapes(generator), {"forward": 1, "input_grad": 1, "weight_grad": 1})
            + passes(dense_kernel_shapes(discriminator), {"forward": 2, "input_grad": 3, "weight_grad": 2}))


def time_step_matmuls(generator: keras.Model, discriminator: keras.Model, batch_size: int, repeats: int) -> float:
    """Seconds the matmuls of one training step take alone, at the step's own shapes (best of ``repeats``)."""
    shapes = step_matmul_shapes(generator, discriminator, batch_size)
    operands = [(tf.random.normal(a), tf.random.normal(b), ta, tb) for a, b, ta, tb in shapes]

    @tf.function
    def matmuls():
        results = [tf.zeros(())]
        for a, b, transpose_a, transpose_b in operands:
            with tf.control_dependencies(results[-1:]):  # one at a time, as in the step, not side by side
                results.append(tf.matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b))
        return results[1:]

    matmuls()
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        [result.numpy() for result in matmuls()]
        timings.append(time.perf_counter() - start)
    return min(timings)


def time_optimizer_updates(architecture: str, jit_compile: bool, repeats: int) -> float:
    """Seconds both Adam updates of one step take alone (fixed per step: they touch every weight once)."""
    gan = build_gan(architecture, seed=0, jit_compile=jit_compile)
    pairs = [(gan.d_optimizer, gan.discriminator.trainable_variables),
             (gan.g_optimizer, gan.generator.trainable_variables)]
    gradients = [[tf.zeros_like(weight) for weight in weights] for _, weights in pairs]

    @tf.function(jit_compile=jit_compile)
    def update():
        for (optimizer, weights), grads in zip(pairs, gradients):
            optimizer.apply_gradients(zip(grads, weights))

    update()
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        update()
        gan.g_optimizer.iterations.numpy()
        timings.append(time.perf_counter() - start)
    return min(timings)


class EmptyStep(keras.Model):
    """A model whose ``train_step`` only reads its batch: ``fit`` on it measures the per-step overhead."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.total = keras.Variable(0.0, trainable=False)

    def train_step(self, data):
        self.total.assign_add(tf.reduce_mean(data))
        return {"total": self.total}


def empty_step_s(dataset, jit_compile: bool, steps_per_execution: int, iterations: int) -> float:
    """Seconds per step of ``fit`` when the step does (almost) nothing: dispatch, callbacks and data."""
    model = EmptyStep()
    model.compile(jit_compile=jit_compile, steps_per_execution=steps_per_execution)
    variant = fit_variant("empty step", model, dataset, {}, steps_per_execution)
    iterations = max(1, iterations // steps_per_execution) * steps_per_execution
    variant.run(iterations)
    return min(variant.run(iterations) for _ in range(3)) / iterations


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages (other jobs on a shared machine skew timings)."""
    return [round(load, 2) for load in os.getloadavg()]


def machine_info() -> dict:
    """Cores, CPU model and library versions, for the record."""
    cpu_model = "unknown"
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as cpuinfo:
            names = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
        cpu_model = names[0] if names else cpu_model
    return {"nproc": os.cpu_count(), "cpu_model": cpu_model, "python": platform.python_version(),
            "tensorflow": tf.__version__, "keras": keras.__version__}


QUICK_SETTINGS = {
    "batch_sizes": (32,), "fast_configs": ((False, 2),), "seconds_per_variant": 0.05, "rounds": 1,
    "warmup_iterations": 2, "image_count": 256, "matmul_sizes": (256,), "matmul_time_s": 0.05,
}


def run_benchmark(
    architecture: str = "keras-gan",
    batch_sizes=BATCH_SIZES,
    fast_configs=FAST_CONFIGS,
    seconds_per_variant: float = 3.0,
    rounds: int = 3,
    warmup_iterations: int = 20,
    image_count: int = 60000,
    matmul_sizes=MATMUL_SIZES,
    matmul_time_s: float = 1.0,
    with_torch: bool | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """Time every variant at every batch size and return the whole report (what ``--json`` writes)."""
    load_before = load_average()
    images = synthetic_images(image_count)
    generator, discriminator = build_gan_pair(architecture)
    dense_only = is_dense_only(generator) and is_dense_only(discriminator)
    with_torch = dense_only and torch_available() if with_torch is None else with_torch
    flops = {"counts_every_layer": dense_only, "generator_macs": dense_macs(generator), "discriminator_macs": dense_macs(discriminator),
             "flops_per_image": flops_per_image(generator, discriminator), "formula": FLOP_FORMULA}
    log(f"matmul peak over sizes {list(matmul_sizes)}")
    peak_before = matmul_peak(matmul_sizes, matmul_time_s)
    rows = []
    for batch_size in batch_sizes:
        variants = make_variants(architecture, images, batch_size, fast_configs, with_torch)
        log(f"batch size {batch_size}: warming up {len(variants)} variants")
        time_interleaved(variants, seconds_per_variant / rounds, rounds, warmup_iterations, log)
        rows += [result_row(variant, batch_size) for variant in variants]
    peak = best_peak(peak_before, matmul_peak(matmul_sizes, matmul_time_s))
    report = {
        "machine": machine_info(),
        "settings": {"architecture": architecture, "batch_sizes": list(batch_sizes),
                     "fast_configs": [list(config) for config in fast_configs],
                     "seconds_per_variant": seconds_per_variant, "rounds": rounds, "image_count": image_count,
                     "data": "synthetic uniform [-1, 1] images shaped like MNIST, in memory"},
        "flops": flops,
        "matmul_peak": peak,
        "results": rows,
    }
    report["recommendation"] = recommend(rows, fast_configs)
    add_ratios(rows, report["recommendation"], flops["flops_per_image"], peak["gflops"])
    report["targets"] = check_targets(rows)
    report["bounds"] = find_bounds(report, generator, discriminator, images, warmup_iterations, log)
    report["machine"]["load_average_before"] = load_before
    report["machine"]["load_average_after"] = load_average()
    return report


def result_row(variant: Variant, batch_size: int) -> dict:
    """One table row: a variant's median speed at one batch size, and every chunk it was timed over."""
    it_per_s = variant.it_per_s()
    best_it_per_s = max(iterations / seconds for iterations, seconds in variant.chunks_s)
    return {"variant": variant.name, "batch_size": batch_size, "config": variant.config,
            "it_per_s": it_per_s, "images_per_s": it_per_s * batch_size, "best_chunk_it_per_s": best_it_per_s,
            "chunks": [{"iterations": iterations, "seconds": seconds} for iterations, seconds in variant.chunks_s]}


def recommend(rows: list[dict], fast_configs) -> dict:
    """The fast-loop configuration with the best geometric-mean speed over all batch sizes."""
    def geometric_mean_speed(config) -> float:
        speeds = [row["it_per_s"] for row in rows if row["variant"] == fast_name(*config)]
        return math.exp(statistics.mean(math.log(speed) for speed in speeds))

    jit_compile, steps_per_execution = max(fast_configs, key=geometric_mean_speed)
    fast_rows = [row for row in rows if row["variant"].startswith("fast ")]
    best_by_batch_size = {str(row["batch_size"]): row["variant"] for row in
                          sorted(fast_rows, key=lambda row: row["it_per_s"])}
    return {"variant": fast_name(jit_compile, steps_per_execution), "jit_compile": jit_compile,
            "steps_per_execution": steps_per_execution, "best_by_batch_size": best_by_batch_size,
            "line": f"fastest: jit_compile={jit_compile}, steps_per_execution={steps_per_execution} "
                    f"(best geometric mean over batch sizes; best at each: "
                    + ", ".join(f"{size}: {name}" for size, name in best_by_batch_size.items()) + ")"}


def add_ratios(rows: list[dict], recommendation: dict, flops_per_image_: int, peak_gflops: float) -> None:
    """Mark the fast loop's rows and give each row its speed-up over the articles' loop and PyTorch."""
    by_key = {(row["variant"], row["batch_size"]): row for row in rows}
    for row in rows:
        articles = by_key[(ARTICLES, row["batch_size"])]
        torch_speed = best_torch_speed(rows, row["batch_size"])
        row["fast_path"] = row["variant"] == recommendation["variant"]
        row["ratio_to_articles"] = row["it_per_s"] / articles["it_per_s"]
        row["ratio_to_pytorch"] = row["it_per_s"] / torch_speed if torch_speed else None
        row["gflops"] = row["images_per_s"] * flops_per_image_ / 1e9
        row["fraction_of_peak"] = row["gflops"] / peak_gflops


def best_torch_speed(rows: list[dict], batch_size: int) -> float | None:
    """The faster PyTorch thread count's iterations per second at one batch size (None without PyTorch)."""
    speeds = [row["it_per_s"] for row in rows if row["variant"].startswith(TORCH) and row["batch_size"] == batch_size]
    return max(speeds, default=None)


def fast_path_row(rows: list[dict], batch_size: int) -> dict | None:
    """The recommended fast loop's row at one batch size (None if that size was not run)."""
    return next((row for row in rows if row["fast_path"] and row["batch_size"] == batch_size), None)


def check_targets(rows: list[dict]) -> list[dict]:
    """The three speed targets, each with its measured value and PASS, MISS or n/a (not measured)."""
    values = []
    for batch_size, key in ((32, "ratio_to_articles"), (32, "ratio_to_pytorch"), (128, "ratio_to_pytorch"),
                            (256, "fraction_of_peak")):
        row = fast_path_row(rows, batch_size)
        values.append(row[key] if row else None)
    return [{"target": name, "threshold": threshold, "value": value,
             "status": "n/a" if value is None else ("PASS" if value >= threshold else "MISS")}
            for (name, threshold), value in zip(TARGETS, values)]


def find_bounds(report: dict, generator, discriminator, images: np.ndarray, warmup_iterations: int, log) -> dict:
    """What limits the fast loop: its matmuls timed alone at the step's shapes, and an empty step's cost."""
    log("bounds: the step's matmuls alone, and fit on an empty step")
    peak_gflops = report["matmul_peak"]["gflops"]
    recommended = report["recommendation"]
    by_batch = {}
    for batch_size in report["settings"]["batch_sizes"]:
        step_s = 1.0 / fast_path_row(report["results"], batch_size)["it_per_s"]
        matmul_s = time_step_matmuls(generator, discriminator, batch_size, repeats=max(5, warmup_iterations))
        matmul_gflops = report["flops"]["flops_per_image"] * batch_size / matmul_s / 1e9
        by_batch[str(batch_size)] = {
            "fast_step_ms": 1e3 * step_s, "matmuls_alone_ms": 1e3 * matmul_s,
            "matmul_share_of_step": matmul_s / step_s, "matmuls_alone_gflops": matmul_gflops,
            "matmuls_alone_fraction_of_peak": matmul_gflops / peak_gflops,
        }
    dataset = endless_dataset(images, report["settings"]["batch_sizes"][0])
    overhead = {}
    for steps_per_execution in sorted({1, recommended["steps_per_execution"]}):
        name = f"jit={int(recommended['jit_compile'])} spe={steps_per_execution}"
        seconds = empty_step_s(dataset, recommended["jit_compile"], steps_per_execution, 10 * warmup_iterations)
        overhead[name] = 1e3 * seconds
    optimizer_ms = 1e3 * time_optimizer_updates(report["settings"]["architecture"], recommended["jit_compile"],
                                                repeats=max(5, warmup_iterations))
    return {"by_batch_size": by_batch, "empty_step_ms": overhead, "optimizer_updates_ms": optimizer_ms,
            "empty_step_batch_size": report["settings"]["batch_sizes"][0]}


def format_table(report: dict) -> str:
    """The results as a plain-text table: one row per variant and batch size."""
    header = f"{'variant':<24} {'batch':>5} {'it/s':>9} {'images/s':>10} {'x articles':>10} {'x pytorch':>9} {'% peak':>7}"
    lines = [header, "-" * len(header)]
    for row in report["results"]:
        name = f"fast loop ({row['variant'][5:]})" if row["fast_path"] else row["variant"]
        to_torch = f"{row['ratio_to_pytorch']:.2f}" if row["ratio_to_pytorch"] is not None else "-"
        lines.append(f"{name:<24} {row['batch_size']:>5} {row['it_per_s']:>9.1f} {row['images_per_s']:>10.0f} "
                     f"{row['ratio_to_articles']:>10.2f} {to_torch:>9} {100 * row['fraction_of_peak']:>6.1f}%")
    return "\n".join(lines)


def format_summary(report: dict) -> str:
    """The lines under the table: FLOP convention, peak, targets, bounds and the recommendation."""
    flops, peak = report["flops"], report["matmul_peak"]
    lines = [f"{flops['formula']}; G_mac={flops['generator_macs']:,}, D_mac={flops['discriminator_macs']:,}, "
             f"{flops['flops_per_image'] / 1e6:.2f} MFLOP per image",
             f"matmul peak: {peak['gflops']:.1f} GFLOP/s (best of before and after the variants; by size before: "
             + ", ".join(f"{size}: {gflops:.1f}" for size, gflops in peak["before_by_size_gflops"].items())
             + "; after: "
             + ", ".join(f"{size}: {gflops:.1f}" for size, gflops in peak["after_by_size_gflops"].items()) + ")"]
    for target in report["targets"]:
        value = "not measured" if target["value"] is None else f"{target['value']:.2f}"
        lines.append(f"{target['status']:<4}  {target['target']}: {value} (target {target['threshold']})")
    for batch_size, bound in report["bounds"]["by_batch_size"].items():
        lines.append(f"batch {batch_size}: fast step {bound['fast_step_ms']:.2f} ms, its matmuls alone "
                     f"{bound['matmuls_alone_ms']:.2f} ms ({100 * bound['matmul_share_of_step']:.0f}% of the step, "
                     f"{100 * bound['matmuls_alone_fraction_of_peak']:.0f}% of peak)")
    overhead = ", ".join(f"{name}: {ms:.3f} ms" for name, ms in report["bounds"]["empty_step_ms"].items())
    lines.append(f"empty fit step at batch {report['bounds']['empty_step_batch_size']}: {overhead}; "
                 f"both Adam updates alone: {report['bounds']['optimizer_updates_ms']:.2f} ms per step")
    machine = report["machine"]
    lines.append(f"load average before {machine['load_average_before']}, after {machine['load_average_after']} "
                 f"on {machine['nproc']} cores")
    lines.append(report["recommendation"]["line"])
    return "\n".join(lines)
