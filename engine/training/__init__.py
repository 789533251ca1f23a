"""The one training mechanism every lab shares: a run advanced in compiled chunks.

``TrainingRun`` (run.py) owns a model, its data, optimizer and history and trains it
synchronously; ``Trainer`` (trainer.py) drives a run on a worker thread for live pages;
``ChunkExecutor`` (executor.py) decides where and how many chunks execute at once.
"""
