"""Home: what the playground is, one card per lab, and the devices TensorFlow trains on.

This page must appear fast, so it never imports TensorFlow itself: the device panel fills
in once the background warm-up (``ui.runtime``) has imported it.
"""

from __future__ import annotations

import streamlit as st

from ui.devices import cached_device_report
from ui.live import session_runs
from ui.runtime import enter_page, warmed_up

LABS = [
    ("pages/network_playground.py", "🕸️ Network Playground",
     "Shape a dense network, train it on 2-D data and watch every neuron learn, live."),
    ("pages/convolution_lab.py", "🔲 Convolution lab",
     "Edit a kernel, slide it over a photo or a digit, and check any output pixel by hand."),
    ("pages/cnn_lab.py", "🧩 CNN lab",
     "Stack convolution and pooling layers, train on digits or your own images live, draw a digit, "
     "and see what each layer sees and why it decided."),
    ("pages/transfer_learning.py", "🔁 Transfer learning",
     "Pre-train on some classes, then race four ways of learning new ones from a handful of images."),
    ("pages/autoencoder_lab.py", "🌀 Autoencoders and VAEs",
     "Squeeze digits through a tiny code, denoise them, tune β live, walk the latent space and sample new digits."),
    ("pages/gan_lab.py", "⚔️ GAN lab (2-D)",
     "Watch a generator and a discriminator play their game on points in the plane: the verdict map, "
     "the generator's pull, mode collapse, or a shape you draw."),
    ("pages/image_gan.py", "🖼️ Image GAN",
     "A small DCGAN learns to draw digits: the same 64 samples sharpen while it trains."),
    ("pages/rbm_lab.py", "🎲 RBMs and deep belief nets",
     "Contrastive divergence written out by hand, hidden units as images, Gibbs chains that dream digits, "
     "and an honest test of pre-training with few labels."),
    ("pages/rl_lab.py", "🕹️ Reinforcement learning",
     "Q-learning, SARSA, DQN and actor-critic learn CartPole, FrozenLake or a gridworld you edit while they "
     "learn; replay any episode frame by frame."),
    ("pages/hardware.py", "⚡ GPU vs CPU",
     "What TensorFlow sees, where each lab trains, and a benchmark that shows where a GPU starts to win."),
]


def device_panel() -> None:
    """TensorFlow and Keras versions, devices, and where training runs."""

    @st.fragment(run_every=None if warmed_up.is_set() else 1.0)
    def panel() -> None:
        if not warmed_up.is_set():
            st.caption("Detecting devices while TensorFlow loads…")
            return
        report = cached_device_report()
        st.markdown(f"**TensorFlow** {report.tensorflow_version} · **Keras** {report.keras_version}")
        for device in report.devices:
            st.markdown(f"- `{device.name}` ({device.kind}){' — ' + device.details if device.details else ''}")
        if report.has_gpu:
            st.success(f"Training runs on the GPU ({report.training_device}), with memory growth enabled.")
        else:
            st.info(f"No GPU visible: training runs on the CPU ({report.cpu_count} cores). "
                    "See the README for GPU support.")
        st.caption(report.platform)

    panel()


enter_page()
session_runs()  # this browser's run id joins the URL: a reload here keeps the labs' runs
st.title("Deep Learning Playground")
st.markdown(
    "Learn deep learning by changing it and watching what happens. Every lab here trains real "
    "Keras models while you watch: drag a slider, press **Play**, and see the loss fall, the "
    "decision boundary bend and each neuron find its job. Everything runs on this machine, "
    "offline, and any setup can be shared as a link."
)
cards, device = st.columns([2, 1])
with cards:
    st.subheader("Labs")
    for path, title, description in LABS:
        with st.container(border=True):
            st.page_link(path, label=title)
            st.caption(description)
with device:
    st.subheader("Device")
    with st.container(border=True):
        device_panel()
