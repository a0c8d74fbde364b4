"""Temporal modes: how the backbone lets the frames of a clip interact.

A temporal module tells the backbone two things:

- :meth:`frames_per_sequence`: how many frames share one transformer
  sequence (``1``: each frame is its own sequence, ``S``: the whole clip is
  one sequence);
- ``forward(x, num_frames, layer_idx, visual_start)``: what happens to the
  ``(B*S, L, C)`` tokens before each block (identity here; a token roll in
  :class:`~mmallinone.models.layers.TemporalTokenRoll`).

Features are averaged over the sequences of a clip afterwards, so every mode
gives ``(B, Lv, C)`` visual features.
"""
from torch import Tensor, nn

from mmallinone.registry import MODELS

__all__ = ['FrameIndependent', 'FlattenFrames']


@MODELS.register_module()
class FrameIndependent(nn.Module):
    """``temporal_mode='none'``: frames are independent sequences.

    No token crosses frames inside the blocks; the clip is the average of
    its frames' features. The base of the other temporal modules.
    """

    def frames_per_sequence(self, num_frames: int) -> int:
        """Frames in one transformer sequence: one."""
        return 1

    def forward(self,
                x: Tensor,
                num_frames: int,
                layer_idx: int = 0,
                visual_start: int = 0) -> Tensor:
        """Identity on ``(B*S, L, C)`` tokens."""
        return x


@MODELS.register_module()
class FlattenFrames(FrameIndependent):
    """``temporal_mode='flatten'``: all frames of a clip in one sequence.

    Full space-time attention over ``S * Lv`` visual tokens (plus the text
    once in the joint path); quadratic in ``S``.
    """

    def frames_per_sequence(self, num_frames: int) -> int:
        """Frames in one transformer sequence: all ``S``."""
        return num_frames
