"""The benchmark: its FLOP count matches the hand count, and its quick run writes a complete report."""

import json

import pytest
from conftest import run_script

from benchmarks.gan_speed import dense_macs, flops_per_image, step_matmul_shapes
from kerasgan.models import build_gan_pair

G_MACS = 100 * 256 + 256 * 512 + 512 * 1024 + 1024 * 784
D_MACS = 784 * 512 + 512 * 256 + 256 * 1


def test_flops_per_image_of_the_keras_gan_mlp_equals_the_hand_count():
    generator, discriminator = build_gan_pair("keras-gan")
    assert dense_macs(generator) == G_MACS
    assert dense_macs(discriminator) == D_MACS
    assert flops_per_image(generator, discriminator) == 2 * (3 * G_MACS + 7 * D_MACS) == 16_360_960


def test_the_timed_matmuls_of_a_step_add_up_to_the_counted_flops():
    generator, discriminator = build_gan_pair("keras-gan")
    shapes = step_matmul_shapes(generator, discriminator, batch_size=8)
    macs = 0
    for a_shape, b_shape, transpose_a, transpose_b in shapes:
        rows, inner = a_shape[::-1] if transpose_a else a_shape
        columns = b_shape[0] if transpose_b else b_shape[1]
        macs += rows * inner * columns
    assert 2 * macs == 8 * flops_per_image(generator, discriminator)


@pytest.mark.slow
def test_quick_run_exits_0_and_writes_every_variant_with_positive_speeds(tmp_path):
    json_path = tmp_path / "b.json"
    result = run_script("benchmark.py", "--quick", "--json", str(json_path))
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(json_path.read_text())
    assert {"machine", "settings", "flops", "matmul_peak", "results", "recommendation", "targets", "bounds"} <= set(report)
    variants = {row["variant"] for row in report["results"]}
    assert {"articles", "parity", "fast jit=0 spe=2"} <= variants
    assert all(row["it_per_s"] > 0 and row["images_per_s"] == 32 * row["it_per_s"] for row in report["results"])
    assert report["matmul_peak"]["gflops"] > 0
    assert sum(row["fast_path"] for row in report["results"]) == 1
    assert report["recommendation"]["line"].startswith("fastest: jit_compile=")
    assert "fastest: jit_compile=" in result.stdout
