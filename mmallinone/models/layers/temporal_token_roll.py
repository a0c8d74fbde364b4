"""Temporal token rolling (TTR): the parameter-free cross-frame operator.

All-in-One rolls a fixed block of visual tokens one frame forward or backward
in time before every transformer block, so that frames exchange information
without any temporal parameters. Every strategy here is written as
*one* advanced-indexing gather ``x[:, frame_index, slot_index]`` over the
``(B, S, L, C)`` view of the input, with the index tensors cached per shape;
no zero-filled copy of the whole tensor is made.
"""
from typing import Dict, Tuple

import torch
from torch import Tensor

from mmallinone.registry import MODELS
from .temporal_modes import FrameIndependent

__all__ = ['TemporalTokenRoll']


@MODELS.register_module()
class TemporalTokenRoll(FrameIndependent):
    """Shift blocks of visual tokens (or channels) between neighbouring frames.

    Let ``X[b, t, j, c]`` be the visual tokens of frame ``t`` where ``j = 0``
    is the visual CLS token and ``Lv`` the number of visual tokens per frame.
    Frame arithmetic is cyclic (mod ``S``). Strategies:

    - ``'block'`` (default; the authors' ``v=0``, used by their checkpoints):
      CLS kept; the first ``f = Lv // n_div`` patch slots take frame ``t - 1``,
      the last ``f`` slots take frame ``t + 1``; the rest is kept.
    - ``'random'``: ``Lv // 2`` distinct patch slots, drawn afresh at every
      call from the torch RNG, take frame ``t - 1`` (authors' ``v=1``, but
      without mutating the input).
    - ``'varying'``: a different block per layer: ``r = Lv // n_div``,
      slots ``[s, min(s + r, Lv))`` with ``s = 1 + r * (layer % n_div)`` take
      frame ``t - 1``; all other slots kept (the authors' ``v=2`` zeroed the
      slots before ``s``; that bug is not reproduced).
    - ``'channel_shift'``: a true channel shift (TSM-like, cyclic): for every
      patch token the first ``C // n_div`` channels take frame ``t - 1`` and
      the next ``C // n_div`` channels take frame ``t + 1``; CLS kept.

    Tokens before ``visual_start`` (e.g. the text tokens of the joint
    sequence) are never moved.

    Args:
        strategy (str): One of :attr:`STRATEGIES`. Defaults to ``'block'``.
        n_div (int): Fraction denominator of the moved block. Defaults to 8.
    """

    STRATEGIES = ('block', 'random', 'varying', 'channel_shift')

    def __init__(self, strategy: str = 'block', n_div: int = 8) -> None:
        super().__init__()
        if strategy not in self.STRATEGIES:
            raise ValueError(f'Unknown temporal token roll strategy '
                             f'{strategy!r}; valid: {self.STRATEGIES}')
        if n_div < 1:
            raise ValueError(f'n_div must be >= 1, got {n_div}')
        self.strategy = strategy
        self.n_div = n_div
        self._cache: Dict[tuple, Tuple[Tensor, ...]] = {}

    def extra_repr(self) -> str:
        return f'strategy={self.strategy!r}, n_div={self.n_div}'

    # ------------------------------------------------------------------ index
    def _token_index(self, num_frames: int, length: int, visual_start: int,
                     layer_idx: int, device: torch.device
                     ) -> Tuple[Tensor, Tensor]:
        """Source-frame and slot indices, both ``(S, L)``, for token rolls."""
        key = (self.strategy, num_frames, length, visual_start,
               layer_idx if self.strategy == 'varying' else 0, device)
        if self.strategy != 'random' and key in self._cache:
            return self._cache[key]
        lv = length - visual_start
        t = torch.arange(num_frames)
        prev_t, next_t = (t - 1) % num_frames, (t + 1) % num_frames
        frame = t[:, None].repeat(1, length)  # (S, L): every slot keeps t
        v0 = visual_start  # index of the visual CLS token
        if self.strategy == 'block':
            f = lv // self.n_div
            if f > 0:
                frame[:, v0 + 1:v0 + 1 + f] = prev_t[:, None]
                frame[:, length - f:] = next_t[:, None]
        elif self.strategy == 'random':
            n = lv // 2
            slots = torch.randperm(lv - 1)[:n] + v0 + 1
            frame[:, slots] = prev_t[:, None]
        elif self.strategy == 'varying':
            r = lv // self.n_div
            s = 1 + r * (layer_idx % self.n_div)
            e = min(s + r, lv)
            frame[:, v0 + s:v0 + e] = prev_t[:, None]
        slot = torch.arange(length)[None].expand(num_frames, length)
        index = (frame.to(device), slot.to(device))
        if self.strategy != 'random':
            self._cache[key] = index
        return index

    def _channel_index(self, num_frames: int, length: int, channels: int,
                       visual_start: int, device: torch.device
                       ) -> Tuple[Tensor, Tensor, Tensor]:
        """Broadcastable ``(S, L, C)`` indices for the channel shift."""
        key = ('channel_shift', num_frames, length, channels, visual_start,
               device)
        if key in self._cache:
            return self._cache[key]
        fold = channels // self.n_div
        t = torch.arange(num_frames)
        frame = t[:, None, None].repeat(1, length, channels)
        patches = slice(visual_start + 1, length)
        frame[:, patches, :fold] = ((t - 1) % num_frames)[:, None, None]
        frame[:, patches, fold:2 * fold] = ((t + 1) %
                                            num_frames)[:, None, None]
        slot = torch.arange(length)[None, :, None]
        chan = torch.arange(channels)[None, None, :]
        index = (frame.to(device), slot.to(device), chan.to(device))
        self._cache[key] = index
        return index

    # ---------------------------------------------------------------- forward
    def forward(self,
                x: Tensor,
                num_frames: int,
                layer_idx: int = 0,
                visual_start: int = 0) -> Tensor:
        """Roll tokens across frames.

        Args:
            x (Tensor): Tokens of shape ``(B*S, L, C)``, frames b-major /
                t-minor; ``x[:, visual_start]`` is the visual CLS token.
            num_frames (int): ``S``.
            layer_idx (int): Index of the block about to run (``'varying'``).
            visual_start (int): Number of leading (text) tokens kept in place.

        Returns:
            Tensor: Rolled tokens of shape ``(B*S, L, C)``.
        """
        if num_frames <= 1:
            return x
        bs, length, channels = x.shape
        if bs % num_frames:
            raise ValueError(f'Batch*frames {bs} is not divisible by '
                             f'num_frames {num_frames}')
        xv = x.view(bs // num_frames, num_frames, length, channels)
        if self.strategy == 'channel_shift':
            index = self._channel_index(num_frames, length, channels,
                                        visual_start, x.device)
        else:
            index = self._token_index(num_frames, length, visual_start,
                                      layer_idx, x.device)
        return xv[(slice(None), ) + index].reshape(bs, length, channels)
