"""How good is a generator? Distances and scores on the features of a shipped MNIST/Fashion classifier.

Every metric compares generated images with real train images through the evaluator (a CNN trained by
``scripts/train_evaluator.py``, weights in ``kerasgan/assets``, SHA-256 pinned below):

- ``fd``: Fréchet distance between Gaussians fitted to the 128-d penultimate features (FID's recipe);
- ``kid``: kernel distance, unbiased MMD² with the cubic polynomial kernel, mean over random subsets;
- ``classifier_score``: exp E[KL(p(y|x) || p(y))] with the evaluator's probabilities (1 to 10);
- ``class_shares`` / ``classes_covered``: the share of samples the evaluator puts in each class; a class is
  *covered* when it gets at least ``COVERAGE_MIN_SHARE`` (1 %, a tenth of a fair share) of the samples;
- ``precision`` / ``recall``: Kynkäänniemi et al. (2019) with k-NN balls (k = 3) in feature space.

``reference_floors`` computes the same numbers for real train against real test: what a generator that
draws fresh real images would score.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import numpy as np
from scipy import linalg, optimize, special

from kerasgan.data import DATASETS, load_data
from kerasgan.data_spec import BUILT_IN, MNIST

ASSETS_DIR = Path(__file__).parent / "assets"
EVALUATOR_SHA256 = {
    "mnist": "bea4ed511af3e114fdfddb2f4a4fe42ff1adc864eedd4ae42e629210e4b836c1",
    "fashion_mnist": "f088e91f29f1587b69e02ec1716f63472c83c2d27e6ef3cd368c078f38797d49",
}
# The evaluators were trained with label smoothing 0.1, which caps their confidence near 0.9; dividing the
# logits by this temperature (fitted by NLL on the real train split, see fit_temperature) calibrates them
# so the classifier score of real data lands near the published ~9.9 instead of ~6.
EVALUATOR_TEMPERATURE = {
    "mnist": 0.4143,
    "fashion_mnist": 0.6219,
}
COVERAGE_MIN_SHARE = 0.01
NEAREST_NEIGHBOURS = 3
KID_SUBSETS = 100
KID_SUBSET_SIZE = 1000
SCORE_SPLITS = 10
RANGE_TOLERANCE = 1e-3
METRIC_LABELS = {
    "fd": "FD (evaluator features)",
    "kid": "KID x 1000",
    "classifier_score": "classifier score (max 10)",
    "precision": "precision (k=3)",
    "recall": "recall (k=3)",
    "classes_covered": f"classes covered (share >= {COVERAGE_MIN_SHARE:.0%})",
    "min_class_share": "smallest class share",
    "max_class_share": "largest class share",
    "label_accuracy": "label accuracy (asked-for class)",
}

_evaluators: dict = {}
_references: dict = {}


class ChecksumError(RuntimeError):
    """A shipped evaluator weights file does not have the SHA-256 recorded in the code."""


def evaluator_path(dataset: str) -> Path:
    """Where the evaluator weights for ``dataset`` are shipped."""
    _check_dataset(dataset)
    return ASSETS_DIR / f"evaluator_{dataset}.weights.h5"


def file_sha256(path: str | os.PathLike) -> str:
    """The SHA-256 hex digest of a file."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_evaluator(dataset: str = "mnist"):
    """The shipped evaluator as a keras.Model mapping images in [-1, 1] to ``(features, probabilities)``.

    The architecture is rebuilt in code and only weights are read, after their SHA-256 is checked.
    """
    _check_dataset(dataset)
    if dataset not in _evaluators:
        import keras

        from kerasgan.nets import build_three_block_classifier

        path = evaluator_path(dataset)
        if not path.is_file():
            raise FileNotFoundError(f"evaluator weights missing: {path} (run scripts/train_evaluator.py)")
        digest = file_sha256(path)
        if digest != EVALUATOR_SHA256[dataset]:
            raise ChecksumError(f"{path} has SHA-256 {digest}, expected {EVALUATOR_SHA256[dataset]}")
        classifier = build_three_block_classifier()
        classifier.load_weights(path)
        calibrated = keras.layers.Rescaling(1.0 / EVALUATOR_TEMPERATURE[dataset], name="calibration")(classifier.output)
        probabilities = keras.layers.Softmax(name="probabilities")(calibrated)
        features = classifier.get_layer("features").output
        _evaluators[dataset] = keras.Model(classifier.input, [features, probabilities], name=f"evaluator_{dataset}")
    return _evaluators[dataset]


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature T minimising the cross-entropy of softmax(logits / T) on labelled data."""
    logits, labels = np.asarray(logits, dtype=np.float64), np.asarray(labels)

    def negative_log_likelihood(log_temperature):
        scaled = logits / np.exp(log_temperature)
        return np.mean(special.logsumexp(scaled, axis=1) - scaled[np.arange(len(labels)), labels])

    return float(np.exp(optimize.minimize_scalar(negative_log_likelihood, bounds=(-5, 5), method="bounded").x))


def validate_images(images, image_shape: tuple = MNIST.image_shape) -> np.ndarray:
    """Check images are float ``(N, *image_shape)`` in [-1, 1] and finite; return them as float32."""
    array = np.asarray(images)
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"images must be floats in [-1, 1], got dtype {array.dtype} (scale uint8 with x / 127.5 - 1)")
    if array.ndim != 4 or array.shape[1:] != tuple(image_shape):
        raise ValueError(f"images must have shape (N, {', '.join(map(str, image_shape))}), got {array.shape}")
    if len(array) < NEAREST_NEIGHBOURS + 2:
        raise ValueError(f"need at least {NEAREST_NEIGHBOURS + 2} images, got {len(array)}")
    if not np.all(np.isfinite(array)):
        raise ValueError("images contain NaN or infinite values")
    low, high = float(array.min()), float(array.max())
    if low < -1 - RANGE_TOLERANCE or high > 1 + RANGE_TOLERANCE:
        raise ValueError(f"images must lie in [-1, 1], got values in [{low:.3g}, {high:.3g}]")
    return array.astype(np.float32, copy=False)


def evaluator_outputs(images, dataset: str = "mnist", batch_size: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """Penultimate features (N, 128) and class probabilities (N, 10) of validated images, in batches."""
    images = validate_images(images, BUILT_IN[dataset].image_shape)
    features, probabilities = batched_outputs(load_evaluator(dataset), images, batch_size)
    return features, probabilities


def batched_outputs(model, images: np.ndarray, batch_size: int = 500) -> list[np.ndarray]:
    """Every output of ``model`` (a Keras model, or any callable taking ``training=False``) on ``images``, computed
    in batches and concatenated as float64: the one place a feature model meets the images."""
    from keras import ops

    outputs = []
    for start in range(0, len(images), batch_size):
        batch = model(images[start: start + batch_size], training=False)
        batch = batch if isinstance(batch, (list, tuple)) else [batch]
        outputs.append([ops.convert_to_numpy(output).astype(np.float64) for output in batch])
    return [np.concatenate(parts) for parts in zip(*outputs)]


def frechet_distance_from_stats(mu_a, sigma_a, mu_b, sigma_b) -> float:
    """||mu_a - mu_b||² + Tr(S_a + S_b - 2 (S_a S_b)^½): the Fréchet distance of two Gaussians."""
    mu_a, mu_b = np.atleast_1d(mu_a), np.atleast_1d(mu_b)
    sigma_a, sigma_b = np.atleast_2d(sigma_a), np.atleast_2d(sigma_b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # singular covariances (e.g. one repeated image) are handled below
        covmean, _ = linalg.sqrtm(sigma_a @ sigma_b, disp=False)
        if not np.all(np.isfinite(covmean)):
            offset = np.eye(len(sigma_a)) * 1e-6
            covmean, _ = linalg.sqrtm((sigma_a + offset) @ (sigma_b + offset), disp=False)
    covmean = np.real(covmean)
    distance = np.sum((mu_a - mu_b) ** 2) + np.trace(sigma_a) + np.trace(sigma_b) - 2 * np.trace(covmean)
    return float(max(distance, 0.0))


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """The Fréchet distance between Gaussians fitted to two feature sets (rows are samples)."""
    return frechet_distance_from_stats(
        features_a.mean(axis=0), np.cov(features_a, rowvar=False),
        features_b.mean(axis=0), np.cov(features_b, rowvar=False),
    )


def _polynomial_kernel(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def kernel_distance(
    features_a: np.ndarray, features_b: np.ndarray, num_subsets: int = KID_SUBSETS,
    subset_size: int = KID_SUBSET_SIZE, seed: int = 0,
) -> tuple[float, float]:
    """KID: the unbiased MMD² with kernel (x·y/d + 1)³, mean and std over random subsets."""
    rng = np.random.default_rng(seed)
    size = min(subset_size, len(features_a), len(features_b))
    estimates = []
    for _ in range(num_subsets):
        x = features_a[rng.choice(len(features_a), size, replace=False)]
        y = features_b[rng.choice(len(features_b), size, replace=False)]
        k_xx, k_yy, k_xy = _polynomial_kernel(x, x), _polynomial_kernel(y, y), _polynomial_kernel(x, y)
        within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (size * (size - 1))
        estimates.append(within - 2 * k_xy.mean())
    return float(np.mean(estimates)), float(np.std(estimates))


def classifier_score(probabilities: np.ndarray, splits: int = SCORE_SPLITS) -> tuple[float, float]:
    """The Inception-Score analogue exp E_x[KL(p(y|x) || p(y))]: mean and std over ``splits`` chunks."""
    scores = []
    for chunk in np.array_split(np.asarray(probabilities, dtype=np.float64), splits):
        chunk = np.clip(chunk, 1e-12, 1.0)
        marginal = chunk.mean(axis=0, keepdims=True)
        scores.append(np.exp(np.mean(np.sum(chunk * (np.log(chunk) - np.log(marginal)), axis=1))))
    return float(np.mean(scores)), float(np.std(scores))


def class_coverage(probabilities: np.ndarray, min_share: float = COVERAGE_MIN_SHARE) -> tuple[list[float], int]:
    """The share of samples whose arg-max is each class, and how many classes get at least ``min_share``."""
    num_classes = probabilities.shape[1]
    counts = np.bincount(np.argmax(probabilities, axis=1), minlength=num_classes)
    shares = counts / counts.sum()
    return [float(share) for share in shares], int(np.sum(shares >= min_share))


def _pairwise_distances(x: np.ndarray, y: np.ndarray, batch_size: int = 1000):
    """Yield ``(start, distances)`` for row batches of the Euclidean distance matrix between x and y."""
    y_norms = np.sum(y ** 2, axis=1)
    for start in range(0, len(x), batch_size):
        rows = x[start: start + batch_size]
        squared = np.sum(rows ** 2, axis=1)[:, None] - 2 * rows @ y.T + y_norms[None, :]
        yield start, np.sqrt(np.maximum(squared, 0.0))


def _knn_radii(features: np.ndarray, k: int) -> np.ndarray:
    """Distance from each point to its k-th nearest neighbour in the same set (itself excluded)."""
    radii = np.empty(len(features))
    for start, distances in _pairwise_distances(features, features):
        radii[start: start + len(distances)] = np.partition(distances, k, axis=1)[:, k]
    return radii


def _share_inside_manifold(queries: np.ndarray, support: np.ndarray, radii: np.ndarray) -> float:
    """The fraction of queries inside at least one k-NN ball of the support set."""
    inside = np.zeros(len(queries), dtype=bool)
    for start, distances in _pairwise_distances(queries, support):
        inside[start: start + len(distances)] = np.any(distances <= radii[None, :] + 1e-9, axis=1)
    return float(inside.mean())


def precision_recall(real_features: np.ndarray, fake_features: np.ndarray, k: int = NEAREST_NEIGHBOURS) -> tuple[float, float]:
    """Improved precision and recall (Kynkäänniemi et al. 2019): fakes on the real manifold, and vice versa."""
    precision = _share_inside_manifold(fake_features, real_features, _knn_radii(real_features, k))
    recall = _share_inside_manifold(real_features, fake_features, _knn_radii(fake_features, k))
    return precision, recall


def feature_metrics(real_features: np.ndarray, features: np.ndarray, probabilities: np.ndarray | None,
                    seed: int = 0) -> dict:
    """Every metric of one sample set against a real reference set, from evaluator outputs; without class
    ``probabilities`` (a feature model that is no class classifier) the feature metrics only."""
    kid, kid_std = kernel_distance(real_features, features, seed=seed)
    precision, recall = precision_recall(real_features, features)
    if probabilities is None:
        return {"fd": frechet_distance(real_features, features), "kid": kid, "kid_std": kid_std,
                "precision": precision, "recall": recall}
    score, score_std = classifier_score(probabilities)
    shares, covered = class_coverage(probabilities)
    return {
        "fd": frechet_distance(real_features, features), "kid": kid, "kid_std": kid_std,
        "classifier_score": score, "classifier_score_std": score_std,
        "precision": precision, "recall": recall, "classes_covered": covered,
        "min_class_share": min(shares), "max_class_share": max(shares), "class_shares": shares,
    }


def real_reference_features(dataset: str = "mnist", n: int = 10000, seed: int = 0) -> np.ndarray:
    """Evaluator features of ``n`` real train images picked with ``seed`` (cached, see :func:`cached_reference`)."""
    return cached_reference(dataset, n, seed).features


def reference_floors(dataset: str = "mnist", n: int = 10000, seed: int = 0) -> dict:
    """Real-vs-real floors: ``n`` real test images scored against the real train reference (cached)."""
    _check_dataset(dataset)
    reference = cached_reference(dataset, n, seed)
    if not reference.floors:
        images, _ = load_data(dataset, "test")
        features, probabilities = evaluator_outputs(images[:n], dataset)
        floors = feature_metrics(reference.features, features, probabilities, seed)
        reference = cache_reference(dataset, n, seed, reference.features,
                                    {"dataset": dataset, "n": len(features), **floors})
    return dict(reference.floors)


def cached_reference(dataset: str, n: int, seed: int):
    """The train features (and, once :func:`reference_floors` computed them, the floors) of a built-in data set:
    kept per process and in the kerasgan cache (``reference/``), as a folder's are, so that a run's scoring does
    not compute them again (about 25 s on 2 cores). The shipped evaluator's SHA-256 is part of the name."""
    from kerasgan.feature_models import read_reference

    key = (dataset, n, seed)
    if key not in _references:
        reference = read_reference(reference_path(dataset, n, seed))
        if reference is None:
            images, _ = load_data(dataset, "train")
            chosen = np.random.default_rng(seed).choice(len(images), min(n, len(images)), replace=False)
            reference = cache_reference(dataset, n, seed, evaluator_outputs(images[np.sort(chosen)], dataset)[0], {})
        _references[key] = reference
    return _references[key]


def cache_reference(dataset: str, n: int, seed: int, features: np.ndarray, floors: dict):
    """Write a built-in data set's reference into the cache and keep it in the process."""
    from kerasgan.feature_models import Reference, write_reference

    path = reference_path(dataset, n, seed)
    write_reference(path, features, floors)
    _references[(dataset, n, seed)] = Reference(features, floors, path)
    return _references[(dataset, n, seed)]


def reference_path(dataset: str, n: int, seed: int) -> Path:
    """Where the cache keeps a built-in data set's reference."""
    from kerasgan.feature_models import cache_folder

    return cache_folder("reference") / f"{dataset}-evaluator-{EVALUATOR_SHA256[dataset][:12]}-{n}-{seed}.npz"


def evaluate_images(images, dataset: str = "mnist", seed: int = 0, batch_size: int = 500,
                    reference_n: int = 10000, with_floors: bool = True) -> dict:
    """Score generated images in [-1, 1], shaped as the data set's, against real train features; floors alongside."""
    _check_dataset(dataset)
    features, probabilities = evaluator_outputs(images, dataset, batch_size)
    results = {"dataset": dataset, "n": len(features), "seed": seed,
               **feature_metrics(real_reference_features(dataset, reference_n), features, probabilities, seed)}
    if with_floors:
        results["floors"] = reference_floors(dataset, reference_n)
    return results


def generate_images(generator, n: int = 10000, seed: int = 0, batch_size: int = 500, family=None) -> np.ndarray:
    """``n`` images from ``generator`` fed latents from the distribution its GAN ``family`` trains on (default:
    :class:`~kerasgan.gans.GAN`'s N(0, 1)), in batches."""
    from kerasgan.gans import GAN
    from kerasgan.sampling import generate, generator_latents

    latents = generator_latents(generator, family or GAN, n, np.random.default_rng(seed))
    return generate(generator, latents, batch_size=batch_size)


def evaluate_generator(generator, dataset: str = "mnist", n: int = 10000, seed: int = 0, batch_size: int = 500,
                       family=None) -> dict:
    """Sample ``n`` images from a generator of a GAN ``family`` and score them with :func:`evaluate_images`."""
    return evaluate_images(generate_images(generator, n, seed, batch_size, family), dataset, seed, batch_size)


def generate_labelled(generator: keras.Model, n: int = 10000, seed: int = 0, num_classes: int = MNIST.num_classes,
                      batch_size: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """``n`` generated images with the labels they were asked for (balanced: ``n // num_classes`` per class)."""
    from kerasgan.sampling import generate

    rng = np.random.default_rng(seed)
    labels = np.arange(n) % num_classes
    rng.shuffle(labels)
    noise = rng.normal(size=(n, generator.input_shape[0][-1])).astype(np.float32)
    return generate(generator, noise, labels, batch_size), labels.astype(np.int64)


def evaluate_conditional(generator: keras.Model, dataset: str = "mnist", n: int = 10000, seed: int = 0,
                         with_floors: bool = True) -> dict:
    """The evaluation metrics of ``n`` balanced generated images, plus how often the shipped evaluator reads
    each image as the class it was asked for (``label_accuracy`` and ``per_class_accuracy``).

    Takes the place of :func:`evaluate_generator` for a generator with a label input.
    """
    num_classes = BUILT_IN[dataset].num_classes
    images, labels = generate_labelled(generator, n, seed, num_classes)
    _, probabilities = evaluator_outputs(images, dataset)
    predicted = np.argmax(probabilities, axis=1)
    per_class = [float(np.mean(predicted[labels == label] == label)) for label in range(num_classes)]
    results = evaluate_images(images, dataset, seed, with_floors=with_floors)
    return {**results, "label_accuracy": float(np.mean(predicted == labels)), "per_class_accuracy": per_class}


def format_table(results: dict) -> str:
    """A plain-text table of the metrics, with the real-vs-real floors in a second column when present."""
    floors = results.get("floors")
    first_column = "generated" if floors else "value"
    header = f"{'metric':<34}{first_column:>12}" + (f"{'real vs real':>14}" if floors else "")
    title = f"{results.get('dataset', '')}, n = {results.get('n', '')}"
    if "features" in results:  # a feature model other than the shipped evaluator (kerasgan.feature_models)
        title += f", features: {results['features']}"
    lines = [title, header, "-" * len(header)]
    for key, label in METRIC_LABELS.items():
        if key not in results:
            continue
        if "features" in results and key in ("fd", "classifier_score"):
            label = "FD (features)" if key == "fd" else f"classifier score (max {results.get('num_classes')})"
        row = f"{label:<34}{_format_value(key, results[key]):>12}"
        if floors:
            row += f"{_format_value(key, floors.get(key)):>14}"
        lines.append(row)
    return "\n".join(lines)


def _format_value(key: str, value) -> str:
    if value is None:
        return "-"
    if key == "kid":
        return f"{value * 1000:.3f}"
    if key == "classes_covered":
        return f"{value:d}"
    return f"{value:.4f}" if abs(value) < 100 else f"{value:.1f}"


def _check_dataset(dataset: str) -> None:
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset '{dataset}' (choose from: {', '.join(DATASETS)})")
