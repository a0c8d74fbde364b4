"""Embedding helpers: resizing position and temporal tables."""
from typing import Sequence

import torch
import torch.nn.functional as F
from mmpretrain.models.utils import resize_pos_embed
from torch import Tensor

__all__ = ['resize_pos_embed', 'resize_temporal_embed', 'resize_text_pos_embed']


def resize_temporal_embed(temporal_embed: Tensor, num_frames: int) -> Tensor:
    """Linearly interpolate a temporal table to another frame count.

    Args:
        temporal_embed (Tensor): ``(1, T, C)``.
        num_frames (int): Target ``S``.

    Returns:
        Tensor: ``(1, S, C)``; the input itself when ``S == T``.
    """
    if temporal_embed.shape[1] == num_frames:
        return temporal_embed
    src = temporal_embed.transpose(1, 2).float()  # (1, C, T)
    if temporal_embed.shape[1] == 1:
        out = src.expand(-1, -1, num_frames)
    else:
        out = F.interpolate(
            src, size=num_frames, mode='linear', align_corners=True)
    return out.transpose(1, 2).to(temporal_embed.dtype)


def resize_text_pos_embed(weight: Tensor, length: int) -> Tensor:
    """Extend or truncate a text position table ``(Lt, C)`` to ``length``.

    Existing rows are copied; new rows repeat the last learned row (a
    better start than the authors' random re-initialisation).
    """
    if weight.shape[0] >= length:
        return weight[:length]
    extra = weight[-1:].expand(length - weight.shape[0], -1)
    return torch.cat([weight, extra], dim=0)


def grid_shape(img_size: Sequence[int], patch_size: int) -> tuple:
    """``(H // p, W // p)`` of an image size ``(H, W)``."""
    return (img_size[0] // patch_size, img_size[1] // patch_size)
