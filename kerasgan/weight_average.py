"""A moving average of a network's weights that is right from the first step: Keras' optimizer EMA, warmed up.

Keras' ``use_ema`` averages with a fixed momentum from the first step, so the average starts at the random
initial weights and forgets them slowly: at momentum 0.9995, 1,600 steps in, 45 % of it is still the
initialisation, and a short run saves a generator that draws static. Here the first update copies the weights
and the momentum of the update after ``t`` steps is ``min(momentum, (1 + t) / (10 + t))``, the warm-up of
``tf.train.ExponentialMovingAverage``'s ``num_updates``: early on the average covers about the last tenth of the
steps so far, and once the momentum reaches the asked one (after ``9 / (1 - momentum)`` steps, 18,000 at 0.9995) it is Keras' average.

The momentum is a function of the optimizer's step counter, so the average's whole state is the optimizer's
own variables (``_model_variables_moving_average``), which checkpoints already hold: resume stays bitwise.
"""

from __future__ import annotations

import keras
from keras import ops

WARMUP_OFFSET = 10.0  # (1 + t) / (WARMUP_OFFSET + t): TensorFlow's ExponentialMovingAverage warm-up


def warm_momentum(momentum: float, step):
    """The average's momentum at the update after ``step`` steps: ``min(momentum, (1 + step) / (10 + step))``,
    and 0 at the first update, which sets the average to the weights (as Keras does) instead of mixing in zeros."""
    step = ops.cast(step, "float32")
    warm = ops.minimum(momentum, (1.0 + step) / (WARMUP_OFFSET + step))
    return ops.where(ops.equal(step, 0.0), 0.0, warm)


class WarmAverage:
    """Mixin for a Keras optimizer built with ``use_ema=True``: the moving average warms up (module docstring).

    It replaces the one method through which every backend's optimizer updates the average."""

    def _update_model_variables_moving_average(self, trainable_variables):
        if not self.use_ema:
            return
        momentum = warm_momentum(self.ema_momentum, self.iterations)
        for variable, average in zip(trainable_variables, self._model_variables_moving_average):
            if average is not None:
                weight = ops.cast(momentum, variable.dtype)
                average.assign(ops.add(ops.multiply(weight, average), ops.multiply(1.0 - weight, variable)))


class AveragedAdam(WarmAverage, keras.optimizers.Adam):
    """Adam keeping a warmed-up moving average of the weights."""


class AveragedSGD(WarmAverage, keras.optimizers.SGD):
    """SGD keeping a warmed-up moving average of the weights."""
