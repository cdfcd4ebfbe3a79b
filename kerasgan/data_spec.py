"""What a run's images are: one description, made by the data layer and read by everything else.

The nets take its image shape, the labelled GAN families its class count, sampling and plotting its class
names, evaluation its name, and the run folder keeps it in ``config.json`` (so that ``sample``, ``evaluate``
and ``--resume`` read it back). No other module keeps an image shape or a number of classes of its own.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

DIGITS = tuple(str(digit) for digit in range(10))
CLOTHES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


@dataclass(frozen=True)
class DataSpec:
    """A data set as the code sees it: its name, the shape of one image (height, width, channels), its class
    names (``None``: unlabelled), where it came from and a fingerprint of its content."""

    name: str
    image_shape: tuple[int, int, int]
    class_names: tuple[str, ...] | None = None
    source: str = ""
    fingerprint: str = ""

    def __post_init__(self):
        object.__setattr__(self, "image_shape", tuple(int(size) for size in self.image_shape))
        if self.class_names is not None:
            object.__setattr__(self, "class_names", tuple(str(name) for name in self.class_names))

    @property
    def channels(self) -> int:
        """1 (grey), 3 (RGB) or 4 (RGB with alpha)."""
        return self.image_shape[-1]

    @property
    def num_classes(self) -> int:
        """How many classes the images are labelled with (0 when unlabelled)."""
        return len(self.class_names) if self.class_names else 0

    def to_dict(self) -> dict:
        """The description as JSON-ready values (``config.json``'s ``data``)."""
        values = asdict(self)
        values["image_shape"] = list(self.image_shape)
        values["class_names"] = list(self.class_names) if self.class_names is not None else None
        return values

    @classmethod
    def from_dict(cls, values: dict) -> "DataSpec":
        """The description :meth:`to_dict` wrote."""
        return cls(values["name"], tuple(values["image_shape"]), values.get("class_names"),
                   values.get("source", ""), values.get("fingerprint", ""))


MNIST = DataSpec("mnist", (28, 28, 1), DIGITS, "built-in")
FASHION_MNIST = DataSpec("fashion_mnist", (28, 28, 1), CLOTHES, "built-in")
BUILT_IN = {spec.name: spec for spec in (MNIST, FASHION_MNIST)}
