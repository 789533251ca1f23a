"""Which devices TensorFlow sees and which one training uses.

We never force a device: TensorFlow places work on the first GPU when there is one. GPUs get
memory growth, so one session's model does not reserve the whole card for itself.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DeviceInfo:
    """One device as TensorFlow names it, with details when known."""

    name: str
    kind: str
    details: str = ""


@dataclass(frozen=True)
class DeviceReport:
    """Versions and devices, for the home page's device panel.

    Attributes:
        tensorflow_version, keras_version: library versions.
        devices: every physical device TensorFlow sees.
        training_device: where training runs ("GPU:0" when a GPU is visible, else "CPU").
        cpu_count: logical CPU cores of the host.
        platform: operating system and machine.
    """

    tensorflow_version: str
    keras_version: str
    devices: tuple[DeviceInfo, ...]
    training_device: str
    cpu_count: int
    platform: str

    @property
    def has_gpu(self) -> bool:
        """Whether TensorFlow sees a GPU."""
        return any(device.kind == "GPU" for device in self.devices)


# XLA:CPU options that suit the playground's tiny models, whose steps are dominated by the
# fixed cost of each compiled op: the classic loop emitters and single-threaded small matrix
# products. Measured on 2 cores, default task: 5,900 -> 7,900 epochs/s. Chunks already run
# one per core (see executor.py), so a chunk spreading one dot over every core only adds
# synchronisation. Models big enough to want those threads can train without XLA.
SMALL_MODEL_XLA_CPU_FLAGS = ("--xla_cpu_use_fusion_emitters=false", "--xla_cpu_multi_thread_eigen=false")


# XLA's persistent cache: compiled programs kept on disk, so a restarted server loads a network's
# training chunk instead of compiling it again (2 cores: the 2-D GAN's 3.8 s -> 2.1 s, the
# playground's 0.9 s -> 0.5 s; what is left is tracing). DLP_XLA_CACHE="" turns it off.
XLA_CACHE_DIRECTORY = os.environ.get(
    "DLP_XLA_CACHE", str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "deep-learning-playground" / "xla"))
XLA_CACHE_FLAG = "--tf_xla_persistent_cache_directory"


def tune_xla_for_small_models() -> None:
    """Add ``SMALL_MODEL_XLA_CPU_FLAGS`` to ``XLA_FLAGS`` and the persistent cache to ``TF_XLA_FLAGS``.

    Options the user set are kept. XLA reads both variables at its first compilation, so this
    must run before that (later calls change nothing). The small-model flags only concern the
    CPU backend; GPUs are unaffected.
    """
    _add_flags("XLA_FLAGS", SMALL_MODEL_XLA_CPU_FLAGS)
    if XLA_CACHE_DIRECTORY and _writable(Path(XLA_CACHE_DIRECTORY)):
        _add_flags("TF_XLA_FLAGS", (f"{XLA_CACHE_FLAG}={XLA_CACHE_DIRECTORY}",))


def _add_flags(variable: str, flags: tuple[str, ...]) -> None:
    """Append ``flags`` to the environment variable ``variable``, leaving any flag already named there."""
    current = os.environ.get(variable, "")
    chosen = {flag.split("=")[0] for flag in current.split()}
    added = [flag for flag in flags if flag.split("=")[0] not in chosen]
    if added:
        os.environ[variable] = " ".join([current, *added]).strip()


def _writable(directory: Path) -> bool:
    """Whether ``directory`` exists, or can be made, and takes files (a read-only home keeps no cache)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(directory, os.W_OK)


def xla_for_convolutions() -> bool:
    """Whether convolutional models should train under XLA: only when TensorFlow sees a GPU.

    On the CPU, XLA's convolutions run far slower than TensorFlow's own kernels (measured on
    2 cores, digits: the small CNN 2.4x, Mini VGG 30x; ``bench/cnn_speed.py`` prints both).
    """
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


def configure_gpus() -> int:
    """Enable memory growth on every visible GPU; returns how many there are.

    Must run before the first GPU op; later calls are harmless no-ops.
    """
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:  # the GPU is already initialised; growth was set earlier or can't be
            pass
    return len(gpus)


def device_report() -> DeviceReport:
    """Ask TensorFlow what it sees (imports TensorFlow: call it off the critical path)."""
    import keras
    import tensorflow as tf

    configure_gpus()
    devices = []
    for device in tf.config.list_physical_devices():
        details = ""
        if device.device_type == "GPU":
            info = tf.config.experimental.get_device_details(device)
            details = ", ".join(f"{key}: {value}" for key, value in info.items())
        devices.append(DeviceInfo(device.name.replace("/physical_device:", ""), device.device_type, details))
    gpus = [device for device in devices if device.kind == "GPU"]
    return DeviceReport(
        tensorflow_version=tf.__version__,
        keras_version=keras.__version__,
        devices=tuple(devices),
        training_device=gpus[0].name if gpus else "CPU:0",
        cpu_count=os.cpu_count() or 1,
        platform=f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
    )
