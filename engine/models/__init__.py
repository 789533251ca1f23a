"""Keras model builders: every model the labs train, built from a frozen config."""
