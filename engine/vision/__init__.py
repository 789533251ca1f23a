"""Vision: images, convolution arithmetic and CNNs."""
