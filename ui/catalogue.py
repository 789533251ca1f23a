"""The one list of pages: where each lives, its section, title, icon and what a learner does there.

``app.py`` builds the navigation from it and the home page its cards; a new lab is one entry here.

Icons are Streamlit's Material Symbols, drawn from the app's own font: emoji show as empty
boxes on machines without an emoji font.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Lab:
    """One page of the app: where it lives, its section of the navigation, its name and what a learner does there."""

    path: str
    section: str
    title: str
    icon: str
    description: str


HOME = Lab("pages/home.py", "Start", "Home", ":material/home:", "")
LABS = (
    Lab("pages/network_playground.py", "Networks", "Network Playground", ":material/hub:",
        "Shape a dense network, train it on 2-D data and watch every neuron learn, live."),
    Lab("pages/convolution_lab.py", "Vision", "Convolution lab", ":material/grid_on:",
        "Edit a kernel, slide it over a photo or a digit, and check any output pixel by hand."),
    Lab("pages/cnn_lab.py", "Vision", "CNN lab", ":material/view_module:",
        "Stack convolution and pooling layers, train on digits or your own images live, draw a digit, "
        "and see what each layer sees and why it decided."),
    Lab("pages/transfer_learning.py", "Vision", "Transfer learning", ":material/move_up:",
        "Pre-train on some classes, then race four ways of learning new ones from a handful of images."),
    Lab("pages/autoencoder_lab.py", "Generative", "Autoencoders and VAEs", ":material/compress:",
        "Squeeze digits through a tiny code, denoise them, tune β live, walk the latent space and sample new "
        "digits."),
    Lab("pages/gan_lab.py", "Generative", "GAN lab (2-D)", ":material/scatter_plot:",
        "Watch a generator and a discriminator play their game on points in the plane: the verdict map, "
        "the generator's pull, mode collapse, or a shape you draw."),
    Lab("pages/image_gan.py", "Generative", "Image GAN", ":material/image:",
        "A small DCGAN learns to draw digits: the same 64 samples sharpen while it trains."),
    Lab("pages/rbm_lab.py", "Generative", "RBMs and deep belief nets", ":material/casino:",
        "Contrastive divergence written out by hand, hidden units as images, Gibbs chains that dream digits, "
        "and an honest test of pre-training with few labels."),
    Lab("pages/recurrence_unrolled.py", "Sequences", "Recurrence unrolled", ":material/repeat:",
        "A SimpleRNN learns a task that needs memory: the network unrolled in time, its hidden state at every "
        "step, and the one U, W and V it reuses."),
    Lab("pages/forecasting_race.py", "Sequences", "Forecasting race", ":material/timeline:",
        "A SimpleRNN, an LSTM and a GRU learn the same series side by side: curves, forecasts one step ahead "
        "and free running, and what each cell pays in weights."),
    Lab("pages/char_language_model.py", "Sequences", "Character language model", ":material/edit_note:",
        "An LSTM or GRU learns a text one character at a time and writes as it trains: perplexity live, "
        "greedy, sampled and beam-search writing, and the odds of every next character."),
    Lab("pages/inside_the_cell.py", "Sequences", "Inside the cell", ":material/biotech:",
        "Open the language model's LSTM or GRU while it reads your text: every gate and state per character, and "
        "the units that learned to track quotes, brackets or the position in a line."),
    Lab("pages/character_embeddings.py", "Sequences", "Character embeddings", ":material/bubble_chart:",
        "The vectors the language model learned for each character, by PCA or t-SNE: vowels, digits and "
        "punctuation find each other; the nearest neighbours of any character."),
    Lab("pages/vanishing_gradients.py", "Sequences", "Vanishing and exploding gradients", ":material/trending_down:",
        "A SimpleRNN, an LSTM and a GRU must remember a symbol across a delay: ‖∂L/∂h_t‖ at every step, the "
        "recurrent gain that makes it vanish or explode, and clipping."),
    Lab("pages/seq2seq_attention.py", "Sequences", "Seq2seq and attention", ":material/translate:",
        "An encoder-decoder with attention races the same one without on reversing, sorting or reading dates: "
        "whole answers right, the attention map, greedy or beam search."),
    Lab("pages/rl_lab.py", "Agents", "Reinforcement learning", ":material/sports_esports:",
        "Q-learning, SARSA, DQN and actor-critic learn CartPole, FrozenLake or a gridworld you edit while they "
        "learn; replay any episode frame by frame."),
    Lab("pages/hardware.py", "Hardware", "GPU vs CPU", ":material/memory:",
        "What TensorFlow sees, where each lab trains, and a benchmark that shows where a GPU starts to win."),
)


def lab_at(path: str) -> Lab:
    """The catalogue entry of the page at ``path`` (the home page included)."""
    return next(lab for lab in (HOME, *LABS) if lab.path == path)


def sections(paths: tuple[str, ...] = ()) -> dict[str, list[Lab]]:
    """The pages at ``paths`` (every page when none are given) by section, in that order."""
    grouped: dict[str, list[Lab]] = {}
    for lab in (map(lab_at, paths) if paths else (HOME, *LABS)):
        grouped.setdefault(lab.section, []).append(lab)
    return grouped
