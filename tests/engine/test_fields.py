"""Settings declared once: validation, share links, structure and widget bounds from one declaration."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest

from engine import fields
from engine.fields import (
    Declared,
    bounds,
    choice,
    choices,
    flag,
    integer,
    integers,
    nested,
    number,
    numbers,
    random_seed,
    spec,
    specs,
    text,
)
from engine.generative.autoencoder import AutoencoderSettings
from engine.generative.dbn import DbnSettings
from engine.generative.image_gan import ImageGanSettings
from engine.generative.point_gan import PointGanSettings
from engine.generative.rbm import RbmSettings
from engine.hardware import BenchmarkSettings
from engine.links import LinkReader
from engine.playground.settings import PlaygroundSettings
from engine.rl.settings import AgentSettings
from engine.vision.cnn_lab import CnnLabSettings
from engine.vision.convolution_lab import ConvolutionLabSettings
from engine.vision.transfer import TransferSettings

LAB_SETTINGS = (PlaygroundSettings, ConvolutionLabSettings, CnnLabSettings, TransferSettings, AutoencoderSettings,
                PointGanSettings, ImageGanSettings, RbmSettings, DbnSettings, AgentSettings, BenchmarkSettings)


@dataclasses.dataclass(frozen=True)
class Inner(Declared):
    rate: float = number(0.5, 0.0, 1.0, "rate", "a rate", live=True)
    kind: str = choice("a", ("a", "b"), "kind", "kind")


@dataclasses.dataclass(frozen=True)
class Toy(Declared):
    mode: str = choice("x", {"x": "Ex", "y": "Why"}, "mode", "mode")
    count: int = integer(3, 1, 9, "count", "a count")
    on: bool = flag(False, "on", "the switch", live=True)
    sizes: tuple[int, ...] = integers((4, 2), 1, 64, "sizes", "sizes", max_length=3, min_length=1)
    rates: tuple[float, ...] = numbers((0.0, 0.1), 0.0, 0.9, "rates", "rates", length_of="sizes", live=True)
    names: tuple[str, ...] = choices(("p", "p"), ("p", "q"), "names", "names", length_of="sizes", item_default="q")
    tags: tuple[str, ...] = choices((), ("t1", "t2", "t3"), "tags", "tags", max_length=2)
    word: str = text("hello", "word", "word", encode=str.upper, decode=lambda raw: _word(raw))
    first: Inner = nested(Inner(), keys={"rate": "first_rate", "kind": None})
    second: Inner = nested(Inner(0.25, "b"), keys={"rate": "second_rate", "kind": "second_kind"}, live=False)
    seed: int = random_seed()

    @classmethod
    def repair_link(cls, values: dict[str, Any], reader: LinkReader) -> None:
        if values["mode"] == "y" and values["count"] > 5:
            reader.warn("count", str(values["count"]), "at most 5 in mode y; using 5")
            values["count"] = 5


def _word(raw: str) -> str:
    if not raw.isalpha():
        raise ValueError("Letters only.")
    return raw.lower()


@pytest.mark.parametrize(("changes", "message"), [
    ({"mode": "z"}, "Unknown mode 'z'. Expected one of: x, y."),
    ({"count": 10}, "Expected a count from 1 to 9. Received: 10."),
    ({"count": math.nan}, "Expected a count from 1 to 9. Received: nan."),
    ({"sizes": (), "rates": (), "names": ()}, "Expected 1 to 3 sizes. Received: 0."),
    ({"sizes": (4, 99), "rates": (0.0, 0.0)}, r"Expected sizes from 1 to 64. Received: (4, 99)."),
    ({"rates": (0.0,)}, "Expected as many rates as sizes. Received: 1 and 2."),
    ({"names": ("p", "r")}, "Unknown item 'r' in names. Expected one of: p, q."),
    ({"tags": ("t1", "t2", "t3")}, "Expected at most 2 tags. Received: 3."),
    ({"first": "later"}, None),
])
def test_every_kind_of_setting_refuses_what_it_does_not_allow_in_words(changes, message):
    if message is None:  # a nested class checks itself
        with pytest.raises(ValueError, match="Expected a rate from 0 to 1"):
            Inner(rate=2.0)
        return
    with pytest.raises(ValueError) as error:
        Toy(**changes)
    assert str(error.value) == message


def test_a_link_round_trips_every_kind_with_nested_keys_renamed_or_left_out():
    settings = Toy(mode="y", count=4, on=True, sizes=(8, 16, 32), rates=(0.5, 0.25, 0.0), names=("q", "p", "q"),
                   tags=("t3",), word="abc", first=Inner(0.75, "b"), second=Inner(0.125, "a"), seed=7)
    params = fields.to_query_params(settings)
    assert params == {"mode": "y", "count": "4", "on": "1", "sizes": "8,16,32", "rates": "0.5,0.25,0", "names": "q,p,q",
                      "tags": "t3", "word": "ABC", "first_rate": "0.75", "second_rate": "0.125", "second_kind": "a",
                      "seed": "7"}
    restored, warnings = fields.from_query_params(Toy, params)
    assert warnings == []
    assert restored == dataclasses.replace(settings, first=Inner(0.75, "a"))  # first.kind is not in the link


def test_a_bad_link_value_is_clamped_or_replaced_with_one_warning_each():
    settings, warnings = fields.from_query_params(Toy, {
        "mode": "../x", "count": "1e9", "on": "yes", "sizes": "0,999,4,4", "rates": "nan", "tags": "t1,zz,t2,t3",
        "word": "12", "first_rate": "-1", "unknown": "ignored",
    })
    assert settings.mode == "x" and settings.count == 9 and not settings.on
    assert settings.sizes == (1, 64, 4) and settings.rates == (0.0, 0.0, 0.0)  # one rate per size, each clamped
    assert settings.names == ("p", "p", "q")  # the defaults, then the item default for the third size
    assert settings.tags == ("t1", "t2") and settings.word == "hello" and settings.first.rate == 0.0
    assert len(warnings) == 8
    assert any("Letters only. Using the default" in warning for warning in warnings)


def test_lists_that_a_link_leaves_too_short_fall_back_to_the_default():
    settings, warnings = fields.from_query_params(Toy, {"sizes": ""})
    assert settings.sizes == (4, 2) and "at least 1 item" in warnings[0]


def test_the_repair_hook_fits_settings_together_before_they_are_checked():
    settings, warnings = fields.from_query_params(Toy, {"mode": "y", "count": "8"})
    assert settings.count == 5 and warnings == ["Link setting count='8': at most 5 in mode y; using 5."]


def test_structure_holds_exactly_the_settings_that_are_not_live():
    base = Toy()
    assert base.structure() == ("x", 3, (4, 2), ("p", "p"), (), "hello", "a", 0.25, "b", 0)  # first.kind: no link
    for live_change in ({"on": True}, {"rates": (0.5, 0.5)}, {"first": Inner(0.9)}):
        assert dataclasses.replace(base, **live_change).structure() == base.structure()
    for rebuild in ({"count": 4}, {"second": Inner(0.3, "b")}, {"seed": 1}):
        assert dataclasses.replace(base, **rebuild).structure() != base.structure()


def test_widget_bounds_and_options_come_from_the_declaration():
    assert bounds(Toy, "count") == (1, 9) and isinstance(bounds(Toy, "count")[0], int)
    assert bounds(Toy, "first_rate") == (0.0, 1.0) and spec(Toy, "mode").options == ("x", "y")
    assert spec(Toy, "tags").max_length == 2 and spec(Toy, "second_rate").live is False
    assert "kind" not in specs(Toy)


@pytest.mark.parametrize("cls", LAB_SETTINGS, ids=lambda cls: cls.__name__)
def test_every_lab_declares_each_setting_once_and_its_defaults_round_trip(cls):
    walked = [found.key for found, _ in fields.walk(cls()) if found.key]
    shared = {"momentum"} if cls in (PointGanSettings, ImageGanSettings) else set()  # one slider for both networks
    assert len(walked) == len(set(walked)) + len(shared & set(walked))
    assert fields.from_query_params(cls, fields.to_query_params(cls())) == (cls(), [])
    assert fields.from_query_params(cls, {}) == (cls(), [])
    for key, declared in specs(cls).items():
        if declared.kind in ("integer", "number"):
            _, high = declared.bounds
            settings, warnings = fields.from_query_params(cls, {key: "1e12"})
            assert warnings and f"{key}=" in warnings[0]
            assert next(value for found, value in fields.walk(settings) if found.key == key) <= high


@pytest.mark.parametrize("cls", LAB_SETTINGS, ids=lambda cls: cls.__name__)
def test_no_setting_takes_a_widget_key_the_page_machinery_uses(cls):
    # ui/live.py's run controls are {prefix}_play (Play and Pause)/_step/_reset/_speed; ui/links.py and
    # ui/live.py keep {prefix}_initialised, _link_warnings and _applied; ui/models.py {prefix}_export_*.
    reserved = {"play", "step", "reset", "speed", "initialised", "link_warnings", "applied"}
    keys = set(specs(cls))
    assert not keys & reserved and not any(key.startswith("export_") for key in keys)
