"""Fitting checkpoint embedding tables to another image size, frame count
or text length.

The resizing math is the backbone's own (:mod:`mmallinone.models.layers.
embeddings`, also used at run time for other input sizes), so importing this
module imports :mod:`mmallinone.models`; :mod:`mmallinone.checkpoint` does not
import it eagerly.
"""
import math
from typing import Sequence

import torch
from torch import Tensor

from mmallinone.models.layers.embeddings import (resize_pos_embed,
                                                 resize_temporal_embed,
                                                 resize_text_pos_embed)

__all__ = [
    'inflate_pos_embed', 'inflate_temporal_embed', 'inflate_text_pos_embed'
]


def inflate_pos_embed(pos_embed: Tensor,
                      dst_grid: Sequence[int],
                      num_extra_tokens: int = 1,
                      mode: str = 'bicubic') -> Tensor:
    """Resize a ViT position table to another patch grid.

    The checkpoint's grid is assumed square (every released ViT/DeiT and
    All-in-One table is); the leading extra-token rows (CLS, DIST) are kept
    unchanged.

    Args:
        pos_embed (Tensor): ``(1, E + Hs*Ws, C)``.
        dst_grid (Sequence[int]): ``(H, W)`` patch grid of the model.
        num_extra_tokens (int): ``E``. Defaults to 1 (CLS).
        mode (str): Interpolation mode. Defaults to ``'bicubic'``.

    Returns:
        Tensor: ``(1, E + H*W, C)``.

    Raises:
        ValueError: If the patch rows do not form a square grid (e.g. a
            distilled checkpoint loaded with ``num_extra_tokens=1``).
    """
    num_src = pos_embed.shape[1] - num_extra_tokens
    side = math.isqrt(max(num_src, 0))
    if num_src <= 0 or side * side != num_src:
        raise ValueError(
            f'Cannot resize a position table of {pos_embed.shape[1]} rows '
            f'with {num_extra_tokens} extra token(s): {num_src} patch rows '
            'are not a square grid. Does the checkpoint have a '
            'distillation token (set with_dist_token) or not?')
    dst_grid = tuple(dst_grid)
    out = resize_pos_embed(pos_embed.float(), (side, side), dst_grid,
                           mode=mode, num_extra_tokens=num_extra_tokens)
    return out.to(pos_embed.dtype)


def inflate_temporal_embed(temporal_embed: Tensor,
                           num_frames: int,
                           mode: str = 'pad') -> Tensor:
    """Fit a temporal table ``(1, T, C)`` to ``num_frames`` rows.

    Args:
        temporal_embed (Tensor): ``(1, T, C)``.
        num_frames (int): Target ``S``.
        mode (str): ``'pad'``: keep the first ``S`` rows or append zero rows
            (the authors' ``load_temporal_fix='zeros'``);
            ``'interpolate'``: linear interpolation over time.

    Returns:
        Tensor: ``(1, S, C)``.
    """
    t = temporal_embed.shape[1]
    if mode == 'interpolate':
        return resize_temporal_embed(temporal_embed, num_frames)
    if mode != 'pad':
        raise ValueError(f"mode must be 'pad' or 'interpolate', got {mode!r}")
    if t >= num_frames:
        return temporal_embed[:, :num_frames].clone()
    pad = temporal_embed.new_zeros(1, num_frames - t, temporal_embed.shape[2])
    return torch.cat([temporal_embed, pad], dim=1)


def inflate_text_pos_embed(weight: Tensor, length: int) -> Tensor:
    """Fit a text position table ``(Lc, C)`` to ``length`` rows.

    The ``Lc`` learned rows are copied; extra rows repeat the last learned
    row (the authors re-initialise the whole table instead);
    a shorter target keeps the first ``length`` rows.
    """
    return resize_text_pos_embed(weight, length).clone()
