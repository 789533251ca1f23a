"""Device set-up: XLA options are added once and never override the user's own."""

from __future__ import annotations

import os

import pytest

import engine.device
from engine.device import SMALL_MODEL_XLA_CPU_FLAGS, XLA_CACHE_FLAG, device_report, tune_xla_for_small_models


def test_xla_flags_are_added_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XLA_FLAGS", raising=False)
    tune_xla_for_small_models()
    tune_xla_for_small_models()

    assert os.environ["XLA_FLAGS"].split() == list(SMALL_MODEL_XLA_CPU_FLAGS)


def test_xla_flags_keep_the_users_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=true --xla_dump_to=/tmp/x")
    tune_xla_for_small_models()

    flags = os.environ["XLA_FLAGS"].split()
    assert "--xla_cpu_multi_thread_eigen=true" in flags and "--xla_cpu_multi_thread_eigen=false" not in flags
    assert "--xla_dump_to=/tmp/x" in flags and "--xla_cpu_use_fusion_emitters=false" in flags


def test_xla_keeps_its_programs_in_the_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    folder = tmp_path / "cache" / "xla"
    monkeypatch.setattr(engine.device, "XLA_CACHE_DIRECTORY", str(folder))
    monkeypatch.delenv("TF_XLA_FLAGS", raising=False)
    tune_xla_for_small_models()
    assert os.environ["TF_XLA_FLAGS"] == f"{XLA_CACHE_FLAG}={folder}" and folder.is_dir()


def test_no_cache_where_the_folder_cannot_be_made(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("")
    monkeypatch.setattr(engine.device, "XLA_CACHE_DIRECTORY", str(blocker / "xla"))
    monkeypatch.setenv("TF_XLA_FLAGS", "--tf_xla_auto_jit=0")
    tune_xla_for_small_models()
    assert os.environ["TF_XLA_FLAGS"] == "--tf_xla_auto_jit=0"


def test_device_report_names_the_training_device() -> None:
    report = device_report()
    assert report.devices and report.cpu_count >= 1
    assert report.training_device == ("GPU:0" if report.has_gpu else "CPU:0")


def test_convolutional_models_skip_xla_without_a_gpu() -> None:
    import tensorflow as tf

    from engine.device import xla_for_convolutions
    from engine.vision.cnn_lab import CnnLabSettings, run_settings

    has_gpu = bool(tf.config.list_physical_devices("GPU"))
    assert xla_for_convolutions() is has_gpu
    assert run_settings(CnnLabSettings()).jit_compile is has_gpu
