"""Generative models: autoencoders, VAEs, GANs and restricted Boltzmann machines."""
