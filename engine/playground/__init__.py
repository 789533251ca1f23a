"""The Network Playground: 2-D data, a small dense network, and what it computes over the plane."""
