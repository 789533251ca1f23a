"""Deep Learning Playground engine: every computation the labs show, with no UI.

The engine is plain Python a notebook can use: pure functions that return arrays and
dataclasses, and a few small classes with state (models, training runs). It never imports
Streamlit, Plotly or the ``ui`` package; a ruff rule and a test enforce that.
"""
