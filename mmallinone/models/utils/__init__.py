"""Model helpers: caption search (greedy / beam) for the captioner and
retrieval scoring (similarity, re-rank candidates and matrices).

Checkpoint I/O (key mapping, inflation, release conversion) lives in
:mod:`mmallinone.checkpoint`.
"""
