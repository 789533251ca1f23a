"""Deep agents in Keras: DQN (replay buffer + target network) and policy gradients (REINFORCE, actor-critic).

Training runs in XLA-compiled functions, traced once (rollouts are padded to a fixed length).
Choosing an action needs one forward pass of a tiny network for one observation: about 6 µs
of arithmetic, but 200+ µs of dispatch as a TensorFlow call (and tens of milliseconds with
``model.predict``; ``bench/rl_speed.py`` measures all three). So agents act with ``Mirror``:
the same Keras network's weights, copied to NumPy after every update, and the same ReLU
layers evaluated there (tested equal to the Keras model).

XLA compiles an update on its first call (about a second on 2 cores). ``compile`` makes that
call ahead, on zeros and with a step size of 0, so the trainer can do it beside the page
before Play, as it compiles every other lab's training function. The updates take the
variables they read as their first argument (``SharedFunction``): agents lent by one key
(``share``: ``engine.rl.run`` passes the pool's) train on one compiled update, so a second
learner who opens the same agent, even while the first trains, waits for no compilation.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

import keras
import numpy as np
import tensorflow as tf

from engine.rl.agents import Accumulator, Evaluation, epsilon_greedy_probabilities
from engine.rl.replay import ReplayBuffer
from engine.training.shared import SharedFunction, shared

GRADIENT_CLIP_NORM = 10.0
ENTROPY_BONUS = 0.01
GAE_LAMBDA = 0.95


def build_network(input_size: int, hidden: tuple[int, ...], outputs: int, seed: int, name: str,
                  output_scale: float = 1.0) -> keras.Model:
    """A ReLU multilayer perceptron with linear outputs, its weights drawn from ``seed``.

    Layers are named after ``name`` so networks built at once in different sessions never
    collide; ``output_scale`` shrinks the last layer's initial weights (a policy should start
    close to uniform).
    """
    inputs = keras.Input((input_size,), name=f"{name}_input")
    x = inputs
    for index, units in enumerate(hidden):
        x = keras.layers.Dense(units, activation="relu", name=f"{name}_dense_{index}",
                               kernel_initializer=keras.initializers.GlorotUniform(seed=seed + index))(x)
    initializer = keras.initializers.VarianceScaling(output_scale, "fan_avg", "uniform", seed=seed + len(hidden))
    outputs_layer = keras.layers.Dense(outputs, name=f"{name}_output", kernel_initializer=initializer)(x)
    return keras.Model(inputs, outputs_layer, name=name)


class Mirror:
    """A NumPy copy of a ``build_network`` network's weights, for fast single-observation forward passes."""

    def __init__(self, network: keras.Model) -> None:
        self._variables = network.trainable_variables
        self.refresh()

    def refresh(self) -> None:
        """Copy the current weights from the network's variables."""
        self._weights = [variable.numpy() for variable in self._variables]

    def set(self, weights: list[tf.Tensor]) -> None:
        """Take the weights an update returned (cheaper than reading the variables again)."""
        self._weights = [weight.numpy() for weight in weights]

    def __call__(self, observation: np.ndarray) -> np.ndarray:
        """The network's outputs for one observation vector."""
        x = observation
        *hidden, (kernel, bias) = zip(self._weights[::2], self._weights[1::2], strict=True)
        for layer_kernel, layer_bias in hidden:
            x = np.maximum(x @ layer_kernel + layer_bias, 0.0)
        return x @ kernel + bias


class _KerasAgent:
    """Shared by the deep agents: an Adam optimizer over some networks, a live learning rate, reset.

    Args:
        networks: the networks it trains, by role; ``others``: networks it reads but does not
            train (DQN's target).
        share: what agents that may share compiled updates have in common; None for updates
            of its own.
    """

    def __init__(self, networks: dict[str, keras.Model], learning_rate: float, seed: int,
                 others: tuple[keras.Model, ...] = (), share: Hashable | None = None) -> None:
        self._networks, self._share = networks, share
        self.optimizer = keras.optimizers.Adam(learning_rate)
        self.optimizer.build([variable for network in networks.values() for variable in network.trainable_variables])
        self._initial_optimizer = [variable.numpy() for variable in self.optimizer.variables]
        self._variables = [variable.value for network in (*networks.values(), *others) for variable in network.variables]
        self._variables += [variable.value for variable in self.optimizer.variables]
        self._metrics = Accumulator()
        self._rng = np.random.default_rng(seed)
        # ``compile`` runs on the trainer's compile thread; a Reset or a new learning rate from the
        # worker waits for it instead of writing under it.
        self._writing = threading.Lock()

    def _function(self, name: str, graph: Callable, jit_compile: bool = True) -> SharedFunction:
        """``graph(variables, ...)`` as a ``SharedFunction``: shared by every agent of this one's ``share``."""
        def make() -> SharedFunction:
            return SharedFunction(tf.function(graph, jit_compile=jit_compile), self._variables)

        return make() if self._share is None else shared((self._share, name), make)

    @property
    def _update_function(self) -> SharedFunction:
        raise NotImplementedError

    @property
    def compiled(self) -> bool:
        """Whether XLA compiled the update (``compile``, or a first update by any agent that shares it)."""
        return self._update_function.ran

    def _rebuild_weights(self, seed: int) -> None:
        raise NotImplementedError

    def _update_on_zeros(self) -> None:
        """Call the compiled update once on inputs of zeros (what it learns is undone by ``compile``)."""
        raise NotImplementedError

    def compile(self) -> None:
        """Make XLA compile the update now, learning nothing.

        The update runs once on zeros with a step size of 0, so the weights do not move (a page
        that reads the networks meanwhile sees them as they are); then the optimizer's state
        (its step count, moments and learning rate) is put back as it was.
        """
        with self._writing:
            if self.compiled:
                return
            saved = [variable.numpy() for variable in self.optimizer.variables]
            self.optimizer.learning_rate.assign(0.0)
            try:
                self._update_on_zeros()
            finally:
                for variable, value in zip(self.optimizer.variables, saved, strict=True):
                    variable.assign(value)

    def set_learning_rate(self, learning_rate: float) -> None:
        with self._writing:
            self.optimizer.learning_rate.assign(learning_rate)

    @property
    def networks(self) -> dict[str, keras.Model]:
        """The networks it trains, by role ("q"; "policy" and "critic")."""
        return dict(self._networks)

    def reset(self, seed: int) -> None:
        with self._writing:
            rate = float(self.optimizer.learning_rate.numpy())
            self._rebuild_weights(seed)
            for variable, value in zip(self.optimizer.variables, self._initial_optimizer, strict=True):
                variable.assign(value)
            self.optimizer.learning_rate.assign(rate)
        self._metrics = Accumulator()
        self._rng = np.random.default_rng(seed)

    @property
    def parameters(self) -> int:
        """Trainable parameters of the agent's networks."""
        return sum(network.count_params() for network in self._networks.values())


def _apply(optimizer: keras.optimizers.Optimizer, tape: tf.GradientTape, loss: tf.Tensor,
           *networks: list) -> None:
    """One step on ``loss``, each network's gradients clipped on their own.

    One clip over both a policy and its critic would let the critic's large early errors
    shrink the policy's step (and small ones grow it): the two would not learn independently.
    """
    variables = [variable for network in networks for variable in network]
    gradients = tape.gradient(loss, variables)
    clipped, start = [], 0
    for network in networks:
        part, _ = tf.clip_by_global_norm(gradients[start:start + len(network)], GRADIENT_CLIP_NORM)
        clipped += part
        start += len(network)
    optimizer.apply_gradients(zip(clipped, variables, strict=True))


class DQNAgent(_KerasAgent):
    """Deep Q-network: a Keras network estimates ``Q(s, ·)``, trained on replayed transitions.

    The target ``r + γ Q_target(s', argmax_a Q(s', a))`` uses a second, lagging copy of the
    network (synced every ``target_period`` steps) so the target does not chase the estimate
    (and picks the action with the online network: double DQN, which curbs overestimation).
    Errors are scored with the Huber loss, so one surprising transition cannot blow up a step.

    Args:
        observation_size, num_actions: the network's input and output sizes.
        hidden: hidden layer widths.
        gamma: discount factor.
        learning_rate: Adam's step size (live).
        batch_size: transitions per update.
        buffer_size: replay capacity.
        target_period: environment steps between target syncs.
        seed: seeds the weights, the replay sampling and exploration.
        update_every: environment steps between two updates.
        share: see ``_KerasAgent``.
    """

    def __init__(self, observation_size: int, num_actions: int, hidden: tuple[int, ...], gamma: float,
                 learning_rate: float, batch_size: int, buffer_size: int, target_period: int, seed: int = 0,
                 update_every: int = 1, share: Hashable | None = None) -> None:
        self.network = build_network(observation_size, hidden, num_actions, seed, "q")
        self.target = build_network(observation_size, hidden, num_actions, seed, "q_target")
        self.target.set_weights(self.network.get_weights())
        super().__init__({"q": self.network}, learning_rate, seed, others=(self.target,), share=share)
        self.shape = (observation_size, num_actions, hidden)
        self.gamma, self.batch_size, self.target_period = gamma, batch_size, target_period
        self.update_every = update_every
        self.learning_starts = max(batch_size, min(1_000, buffer_size))
        self.buffer = ReplayBuffer(buffer_size, observation_size, seed)
        self._steps = 0
        vectors, numbers = tf.TensorSpec([batch_size, observation_size]), tf.TensorSpec([batch_size])
        self._learn_function = self._function("learn", self._learn_graph)
        self._learn = self._learn_function.concrete(vectors, tf.TensorSpec([batch_size], tf.int32), numbers, vectors,
                                                    numbers)
        self._sync = self._function("sync", self._sync_graph, jit_compile=False)
        self._mirror = Mirror(self.network)

    @property
    def _update_function(self) -> SharedFunction:
        return self._learn_function

    def _rebuild_weights(self, seed: int) -> None:
        observation_size, num_actions, hidden = self.shape
        self.network.set_weights(build_network(observation_size, hidden, num_actions, seed, "q").get_weights())
        self.target.set_weights(self.network.get_weights())
        self.buffer = ReplayBuffer(self.buffer.capacity, observation_size, seed)
        self._steps = 0
        self._mirror.refresh()

    def _update_on_zeros(self) -> None:
        observation_size = self.shape[0]
        vectors, numbers = np.zeros((self.batch_size, observation_size), np.float32), np.zeros(self.batch_size, np.float32)
        self._learn_function(self._variables, vectors, np.zeros(self.batch_size, np.int32), numbers, vectors, numbers)
        self._sync(self._variables)  # the target already equals the network before any update: traced, nothing changes

    def _sync_graph(self, variables: list) -> None:  # variables: inputs, not captures (``SharedFunction``)
        for target, online in zip(self.target.trainable_variables, self.network.trainable_variables, strict=True):
            target.assign(online)

    def _learn_graph(self, variables, observations, actions, rewards, next_observations, terminated):
        best = tf.argmax(self.network(next_observations), axis=1, output_type=tf.int32)
        following = tf.gather(self.target(next_observations), best, axis=1, batch_dims=1)
        targets = rewards + self.gamma * (1.0 - terminated) * following
        variables = self.network.trainable_variables
        with tf.GradientTape() as tape:
            taken = tf.gather(self.network(observations), actions, axis=1, batch_dims=1)
            errors = targets - taken
            loss = tf.reduce_mean(tf.where(tf.abs(errors) < 1.0, 0.5 * errors**2, tf.abs(errors) - 0.5))
        _apply(self.optimizer, tape, loss, variables)
        return loss, tf.reduce_mean(tf.abs(errors)), [tf.identity(variable) for variable in variables]

    def _choose(self, action_values: np.ndarray, epsilon: float) -> int:
        if self._rng.random() < epsilon:
            return int(self._rng.integers(len(action_values)))
        return int(np.argmax(action_values))

    def first_action(self, observation: np.ndarray, epsilon: float) -> int:
        return self._choose(self._mirror(observation), epsilon)

    def step(self, observation: np.ndarray, action: int, reward: float, next_observation: np.ndarray,
             terminated: bool, truncated: bool, epsilon: float) -> int:
        self.buffer.add(observation, action, reward, next_observation, terminated)
        self._steps += 1
        if len(self.buffer) >= self.learning_starts and self._steps % self.update_every == 0:
            batch = self.buffer.sample(self.batch_size)
            loss, error, weights = self._learn(self._variables, batch.observations, batch.actions, batch.rewards,
                                               batch.next_observations, batch.terminated)
            self._learn_function.ran = True  # called directly (the concrete function): its first call compiled it
            self._metrics.add(loss=loss.numpy(), td_error=error.numpy())
            self._mirror.set(weights)
        if self._steps % self.target_period == 0:
            self._sync(self._variables)
        return self._choose(self._mirror(next_observation), epsilon)

    def episode_metrics(self) -> dict[str, float]:
        return self._metrics.means(("loss", "td_error"))

    def policy_action(self, observation: np.ndarray, rng: np.random.Generator) -> int:
        return int(np.argmax(self._mirror(observation)))

    def evaluate(self, observations: np.ndarray, epsilon: float) -> Evaluation:
        action_values = self.network(np.asarray(observations, np.float32)).numpy().astype(np.float64)
        return Evaluation(action_values.max(axis=1), epsilon_greedy_probabilities(action_values, epsilon),
                          action_values)


class PolicyGradientAgent(_KerasAgent):
    """REINFORCE or actor-critic: a Keras policy network and a Keras critic ``V(s)``.

    The policy samples actions from a softmax over its outputs and is pushed towards actions
    that turned out better than the critic expected (the advantage). REINFORCE waits for the
    end of an episode and uses the whole return that followed each step; actor-critic updates
    every ``rollout`` steps and bootstraps from the critic (generalised advantage estimation,
    λ = 0.95), trading a little bias for much less noise. A small entropy bonus keeps the
    policy from becoming certain too early.

    Args:
        observation_size, num_actions: network sizes.
        hidden: hidden layer widths (policy and critic alike).
        gamma: discount factor.
        learning_rate: Adam's step size (live).
        method: "reinforce" or "actor_critic".
        rollout: steps per update; REINFORCE uses the episode length limit.
        seed: seeds the weights and the sampling of actions.
        share: see ``_KerasAgent``.
    """

    def __init__(self, observation_size: int, num_actions: int, hidden: tuple[int, ...], gamma: float,
                 learning_rate: float, method: str, rollout: int, seed: int = 0, share: Hashable | None = None) -> None:
        if method not in ("reinforce", "actor_critic"):
            raise ValueError(f"Unknown policy-gradient method {method!r}. Expected 'reinforce' or 'actor_critic'.")
        self.policy = build_network(observation_size, hidden, num_actions, seed, "policy", output_scale=0.01)
        self.critic = build_network(observation_size, hidden, 1, seed + 100, "critic")
        super().__init__({"policy": self.policy, "critic": self.critic}, learning_rate, seed, share=share)
        self.shape = (observation_size, num_actions, hidden)
        self.method, self.gamma, self.rollout = method, gamma, rollout
        trace = GAE_LAMBDA if method == "actor_critic" else 1.0
        exponents = np.arange(rollout)[None, :] - np.arange(rollout)[:, None]
        self._discounts = np.where(exponents >= 0, (gamma * trace) ** np.maximum(exponents, 0), 0.0).astype(np.float32)
        self._observations = np.zeros((rollout + 1, observation_size), np.float32)
        self._actions = np.zeros(rollout, np.int32)
        self._rewards = np.zeros(rollout, np.float32)
        self._continues = np.zeros(rollout, np.float32)
        self._length = 0
        self._update_shared = self._function("update", self._update_graph)
        self._update = self._update_shared.concrete(tf.TensorSpec([rollout + 1, observation_size]),
                                                    tf.TensorSpec([rollout], tf.int32), tf.TensorSpec([rollout]),
                                                    tf.TensorSpec([rollout]), tf.TensorSpec([], tf.int32))
        self._mirror = Mirror(self.policy)

    @property
    def _update_function(self) -> SharedFunction:
        return self._update_shared

    def _rebuild_weights(self, seed: int) -> None:
        observation_size, num_actions, hidden = self.shape
        fresh_policy = build_network(observation_size, hidden, num_actions, seed, "policy", output_scale=0.01)
        self.policy.set_weights(fresh_policy.get_weights())
        self.critic.set_weights(build_network(observation_size, hidden, 1, seed + 100, "critic").get_weights())
        self._length = 0
        self._mirror.refresh()

    def _update_on_zeros(self) -> None:
        rollout, observation_size = self.rollout, self.shape[0]
        numbers = np.zeros(rollout, np.float32)
        self._update_shared(self._variables, np.zeros((rollout + 1, observation_size), np.float32),
                            np.zeros(rollout, np.int32), numbers, numbers, np.int32(0))

    def _update_graph(self, variables, observations, actions, rewards, continues, length):
        """One gradient step on a padded rollout of ``length`` steps; ``observations`` has one extra row."""
        mask = tf.cast(tf.range(self.rollout) < length, tf.float32)
        with tf.GradientTape() as tape:
            values = self.critic(observations)[:, 0]
            current, following = values[:-1], tf.stop_gradient(values[1:])
            deltas = (rewards + self.gamma * continues * following - tf.stop_gradient(current)) * mask
            # a rollout never spans two episodes, so the sums need no cut at a terminal step
            advantages = tf.linalg.matvec(self._discounts, deltas)
            returns = advantages + tf.stop_gradient(current)
            count = tf.maximum(tf.reduce_sum(mask), 1.0)
            mean = tf.reduce_sum(advantages * mask) / count
            spread = tf.sqrt(tf.reduce_sum(((advantages - mean) * mask) ** 2) / count) + 1e-8
            normalised = tf.where(length > 1, (advantages - mean) / spread, advantages)
            log_probabilities = tf.nn.log_softmax(self.policy(observations[:-1]))
            taken = tf.gather(log_probabilities, actions, axis=1, batch_dims=1)
            entropy = -tf.reduce_sum(tf.exp(log_probabilities) * log_probabilities, axis=1)
            actor_loss = -tf.reduce_sum((taken * normalised + ENTROPY_BONUS * entropy) * mask) / count
            critic_loss = 0.5 * tf.reduce_sum(((returns - current) * mask) ** 2) / count
            loss = actor_loss + critic_loss
        _apply(self.optimizer, tape, loss, self.policy.trainable_variables, self.critic.trainable_variables)
        return loss, tf.reduce_sum(tf.abs(deltas)) / count, [tf.identity(variable) for variable in self.policy.trainable_variables]

    def _sample(self, observation: np.ndarray, rng: np.random.Generator | None = None) -> int:
        logits = self._mirror(observation).astype(np.float64)
        probabilities = np.exp(logits - logits.max())
        return int((rng or self._rng).choice(len(probabilities), p=probabilities / probabilities.sum()))

    def first_action(self, observation: np.ndarray, epsilon: float) -> int:
        self._observations[0] = observation
        self._length = 0
        return self._sample(observation)

    def step(self, observation: np.ndarray, action: int, reward: float, next_observation: np.ndarray,
             terminated: bool, truncated: bool, epsilon: float) -> int:
        index = self._length
        self._observations[index], self._actions[index] = observation, action
        self._rewards[index], self._continues[index] = reward, 0.0 if terminated else 1.0
        self._observations[index + 1] = next_observation
        self._length += 1
        if terminated or truncated or self._length == self.rollout:
            loss, error, weights = self._update(self._variables, self._observations, self._actions, self._rewards,
                                                self._continues, np.int32(self._length))
            self._update_shared.ran = True  # called directly (the concrete function): its first call compiled it
            self._metrics.add(loss=loss.numpy(), td_error=error.numpy())
            self._mirror.set(weights)
            self._observations[0] = next_observation
            self._length = 0
        return self._sample(next_observation)

    def episode_metrics(self) -> dict[str, float]:
        return self._metrics.means(("loss", "td_error"))

    def policy_action(self, observation: np.ndarray, rng: np.random.Generator) -> int:
        return self._sample(observation, rng)

    def evaluate(self, observations: np.ndarray, epsilon: float) -> Evaluation:
        observations = np.asarray(observations, np.float32)
        logits = self.policy(observations).numpy().astype(np.float64)
        probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
        values = self.critic(observations).numpy()[:, 0].astype(np.float64)
        return Evaluation(values, probabilities / probabilities.sum(axis=1, keepdims=True))
