"""Sequences: recurrent cells worked step by step, series and text to learn from, toy tasks with known answers."""
