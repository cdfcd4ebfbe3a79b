"""G's moving average warms up: right from the first step, so a short run saves a generator as good as its
last weights or better, and a long run ends with Keras' average at the recipe's momentum."""

import keras
import numpy as np
import pytest

from kerasgan.recipes import get_recipe
from kerasgan.run import train_recipe
from kerasgan.run_folder import RunFolder
from kerasgan.settings import RunSettings
from kerasgan.weight_average import AveragedAdam, warm_momentum


def test_the_momentum_grows_with_the_step_count_up_to_the_asked_one():
    momenta = [float(warm_momentum(0.9995, step)) for step in (0, 90, 1600, 17990, 50000)]
    assert momenta == pytest.approx([0.0, 0.91, 1601 / 1610, 0.9995, 0.9995])


@pytest.mark.backends
def test_the_average_after_a_few_steps_is_the_recent_weights_not_the_initial_ones():
    variable = keras.Variable(np.zeros(3, dtype="float32"))
    optimizer = AveragedAdam(learning_rate=0.1, use_ema=True, ema_momentum=0.9995)
    expected = np.zeros(3)
    for step in range(5):
        optimizer.apply([keras.ops.ones(3)], [variable])
        momentum = 0.0 if step == 0 else min(0.9995, (1 + step) / (10 + step))  # the first update copies
        expected = momentum * expected + (1 - momentum) * np.array(variable)
    average = np.array(optimizer._model_variables_moving_average[0])
    np.testing.assert_allclose(average, expected, rtol=1e-6)
    assert float(average[0]) < -0.2  # Keras' fixed momentum would keep it within 0.001 of the first step's -0.1


@pytest.mark.slow
def test_after_a_few_hundred_steps_on_mnist_the_averaged_generator_scores_no_worse_than_the_last_weights(
        shared_datasets, tmp_path):
    run_dir = RunFolder(tmp_path / "run").prepare()
    summary = train_recipe(RunSettings(get_recipe("default").replace(steps=800), progress=False, eval_samples=2000),
                           run_dir)

    scores = summary["average_vs_last"]
    assert summary["steps"] == 800
    assert scores["average_fd"] <= scores["last_fd"], scores
    assert scores["saved"] == "average" and not (run_dir / "generator_average.keras").exists()
    assert (run_dir / "generator_last.keras").exists()
