"""Model helpers: caption search (greedy / beam) for the captioner.

Checkpoint I/O (key mapping, inflation, release conversion) lives in
:mod:`mmallinone.checkpoint`.
"""
