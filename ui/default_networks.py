"""The networks the live labs open with, compiled once when the server starts.

Compiled functions are shared by every run of an architecture (``engine.training.pool``), so
compiling a lab's default network once serves every learner who opens that lab as it comes:
the first learner on each page starts training at once instead of waiting for a trace and an
XLA compilation. Each entry builds the run the page builds on its defaults, with the data the
page loads, and observes it as the page does; the run is then dropped and its model waits in
the pool with everything traced on it. ``tests/pages/test_default_networks.py`` checks that
opening each page afterwards traces nothing new.

The transfer lab's entry first pre-trains its default backbone, in the job its page shares
(``ui.transfer_controls.pretraining_job``), so its first learner does not wait for that either.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from typing import Any

from engine.training.contract import SlowMotion

# Whether the start-up warm-up compiles the default networks (the tests' set-up turns it off).
WARM_NETWORKS = os.environ.get("DLP_WARM_NETWORKS", "1") != "0"
_log = logging.getLogger(__name__)

Build = Callable[[], tuple[Any, Callable[[Any], Any]]]  # () -> (run, observe)


def default_runs() -> Iterator[tuple[str, Build]]:
    """Each live lab's default run and the observation its page makes, as (lab, build)."""
    from engine.data.image_sets import load_image_dataset
    from engine.generative import autoencoder, image_gan, point_gan, rbm
    from engine.generative.autoencoder import IMAGE_SIZES
    from engine.generative.targets import make_target
    from engine.playground import task
    from engine.playground.settings import PlaygroundSettings
    from engine.rl import run as rl
    from engine.rl.settings import AgentSettings
    from engine.sequence import forecast, gradients, language_model, seq2seq, unrolled
    from engine.vision import cnn_lab, transfer
    from ui.transfer_controls import pretraining_job

    def playground():
        settings = PlaygroundSettings()
        data = task.prepare_data(settings)
        layers = task.hidden_layer_names(settings)
        return task.make_run(settings, data), lambda run: task.observe(run, data, layers)

    def cnn():
        settings = cnn_lab.CnnLabSettings()
        dataset = load_image_dataset(settings.dataset, settings.image_size, settings.seed)

        def observe(run):  # the views, and the feature maps the page shows below them (first layer's)
            return cnn_lab.observe(run), cnn_lab.feature_maps(run, dataset.x_test[0], cnn_lab.conv_layer_names(run)[0])

        return cnn_lab.make_run(settings, dataset), observe

    def autoencoders():
        settings = autoencoder.AutoencoderSettings()
        dataset = load_image_dataset(settings.dataset, IMAGE_SIZES[settings.dataset], settings.seed)
        return autoencoder.make_run(settings, dataset), autoencoder.observe

    def gan():
        settings = point_gan.PointGanSettings()
        target = make_target(settings.target, settings.seed)
        return point_gan.make_run(settings, target), point_gan.PointGanObserver(target, settings.noise_dim,
                                                                                settings.seed)

    def dcgan():
        settings = image_gan.ImageGanSettings()
        dataset = load_image_dataset(settings.dataset, IMAGE_SIZES[settings.dataset], settings.seed)
        return image_gan.make_run(settings, dataset), image_gan.ImageGanObserver(dataset.x_train, settings.noise_dim,
                                                                                 settings.seed)

    def rbms():
        settings = rbm.RbmSettings()
        dataset = load_image_dataset("digits", rbm.IMAGE_SIDE, settings.seed)
        return rbm.make_run(settings, rbm.flatten(dataset.x_train), rbm.flatten(dataset.x_test)), \
            rbm.RbmObserver((rbm.IMAGE_SIDE, rbm.IMAGE_SIDE))

    def transfer_race():
        settings = transfer.TransferSettings()
        data = transfer.split_classes(load_image_dataset(settings.dataset, settings.image_size, settings.seed),
                                      settings)
        pretrained = pretraining_job(settings, data).result()
        return transfer.make_run(settings, data, pretrained), transfer.trainable_parameters

    def agent():
        return rl.make_run(AgentSettings()), rl.observe

    def unrolled_rnn():
        return unrolled.make_run(unrolled.UnrolledSettings()), unrolled.UnrolledObserver()

    def gradient_race():
        return gradients.make_run(gradients.GradientSettings()), gradients.observe

    def seq2seq_race():
        settings = seq2seq.Seq2SeqSettings()
        pairs = seq2seq.pair_data(settings)
        observer = seq2seq.Seq2SeqObserver(pairs)

        def observe(group):  # the live view, and the beams the page shows below it
            return observer(group), [seq2seq.beams(group.runs[name], pairs, pairs.data.x_val[0], settings.beam_width)
                                     for name in seq2seq.MODELS]

        return seq2seq.make_run(settings, pairs), observe

    def forecasting_race():
        settings = forecast.ForecastSettings()
        values = forecast.series_values(settings)
        return forecast.make_run(settings, values), forecast.ForecastObserver(settings, values)

    def char_model():
        settings = language_model.LanguageModelSettings()
        characters = language_model.character_data(language_model.corpus_text(settings), settings)
        options = language_model.SampleOptions(settings.prompt, settings.temperature, settings.sample_length)
        sampler = language_model.LiveSampler(characters.vocabulary, options)

        def observe(run):  # the live sample, and the greedy, sampled and beam writing the page shows below it
            return sampler(run), language_model.generate(run, characters.vocabulary, settings)

        return language_model.make_run(settings, characters), observe

    yield from (("network_playground", playground), ("cnn_lab", cnn), ("autoencoder_lab", autoencoders),
                ("gan_lab", gan), ("image_gan", dcgan), ("rbm_lab", rbms), ("transfer_learning", transfer_race),
                ("recurrence_unrolled", unrolled_rnn), ("forecasting_race", forecasting_race), ("char_language_model", char_model),
                ("vanishing_gradients", gradient_race), ("seq2seq_attention", seq2seq_race), ("rl_lab", agent))


def compile_default_networks() -> list[str]:
    """Compile every default network, observe it once and warm slow motion; the labs done.

    A lab whose network fails to build is skipped with a warning in the server's log: its
    first learner compiles it, as without the warm-up.
    """
    done = []
    for lab, build in default_runs():
        try:
            run, observe = build()
            run.compile()
            observe(run)
            if isinstance(run, SlowMotion):
                run.prepare_updates()
                run.warm_updates()
        except Exception:  # the warm-up is a head start, never a reason for the server to fail
            _log.warning("Could not compile the %s lab's default network ahead", lab, exc_info=True)
            continue
        done.append(lab)
    return done
