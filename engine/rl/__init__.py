"""Reinforcement learning: environments, tabular and deep agents, and the run a live page drives."""
