"""Symmetric video-text contrastive (InfoNCE) loss."""
import math
from typing import Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine import dist
from torch import Tensor

from mmallinone.registry import MODELS

__all__ = ['VideoTextContrastiveLoss', 'cosine_similarity_matrix',
           'gather_with_local_grad']


def cosine_similarity_matrix(a: Tensor, b: Tensor,
                             eps: float = 1e-8) -> Tensor:
    """Cosine similarities of every row pair, norms clamped at ``eps``.

    Args:
        a (Tensor): ``(N, D)``.
        b (Tensor): ``(M, D)``.
        eps (float): Smallest norm (clamps at 1e-8).

    Returns:
        Tensor: ``(N, M)`` in float32.
    """
    a = a.float()
    b = b.float()
    a = a / a.norm(dim=-1, keepdim=True).clamp(min=eps)
    b = b / b.norm(dim=-1, keepdim=True).clamp(min=eps)
    return a @ b.t()


def gather_with_local_grad(x: Tensor) -> Tuple[Tensor, int]:
    """All-gather ``(B, D)`` features of every rank; keep the local grad.

    The gathered copies of other ranks are constants; this rank's slice is
    the input tensor itself, so gradients flow into the local features only
    (each rank back-propagates its own part; DDP averages the parameter
    gradients). Every rank must hold the same ``B``.

    Args:
        x (Tensor): Local features ``(B, D)``.

    Returns:
        tuple: gathered ``(W * B, D)`` (rank-major) and the offset of this
        rank's rows.
    """
    world = dist.get_world_size()
    if world == 1:
        return x, 0
    rank = dist.get_rank()
    parts = dist.all_gather(x.detach().contiguous())
    parts[rank] = x
    return torch.cat(parts, dim=0), rank * x.shape[0]


@MODELS.register_module()
class VideoTextContrastiveLoss(nn.Module):
    """Symmetric InfoNCE over cosine similarities of text and video features.

    With ``x = cos(t_i, v_j) / tau`` (``N x N``), the loss is
    ``-mean_i log softmax_j(x)_ii - mean_j log softmax_i(x)_jj``, the sum of
    the text-to-video and video-to-text terms as the authors (``ind_itc``). The task model weights it (``loss_weights['itc']``).

    Differences from the authors' ``ind_itc``, both config
    switches: the temperature can be learnt (``learnable_temperature``,
    stored as ``log(1 / tau)`` and clamped to ``1 / tau <= max_scale``), and
    in distributed training the features of all ranks are gathered
    (``gather=True``) so each rank contrasts its ``B`` queries against
    ``W * B`` keys; only the local rows receive gradients
    (:func:`gather_with_local_grad`).

    Args:
        temperature (float): ``tau``. Defaults to 0.05 (fixed).
        learnable_temperature (bool): Learn ``tau``. Defaults to False.
        max_scale (float): Upper bound of ``1 / tau`` when learnt. Defaults
            to 100.
        gather (bool): All-gather across ranks when distributed. Defaults to
            True.
    """

    def __init__(self,
                 temperature: float = 0.05,
                 learnable_temperature: bool = False,
                 max_scale: float = 100.0,
                 gather: bool = True) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        log_scale = torch.tensor(math.log(1.0 / temperature))
        if learnable_temperature:
            self.log_scale = nn.Parameter(log_scale)
        else:
            self.register_buffer('log_scale', log_scale, persistent=False)
        self.learnable_temperature = learnable_temperature
        self.max_scale = max_scale
        self.gather = gather

    @property
    def temperature(self) -> Tensor:
        """Current ``tau`` (a scalar tensor)."""
        return 1.0 / self.scale()

    def scale(self) -> Tensor:
        """``1 / tau``, clamped at ``max_scale`` when learnt."""
        scale = self.log_scale.float().exp()
        if self.learnable_temperature:
            scale = scale.clamp(max=self.max_scale)
        return scale

    def forward(self, text_embeds: Tensor, video_embeds: Tensor) -> Tensor:
        """Loss of ``B`` matched pairs (row i of each is a pair).

        Args:
            text_embeds (Tensor): ``(B, D)``.
            video_embeds (Tensor): ``(B, D)``.

        Returns:
            Tensor: Scalar loss (float32).
        """
        if text_embeds.shape != video_embeds.shape:
            raise ValueError('text and video features must have the same '
                             f'shape, got {tuple(text_embeds.shape)} and '
                             f'{tuple(video_embeds.shape)}')
        b = text_embeds.shape[0]
        offset = 0
        all_texts, all_videos = text_embeds, video_embeds
        if self.gather:
            all_texts, offset = gather_with_local_grad(text_embeds)
            all_videos, _ = gather_with_local_grad(video_embeds)
        target = torch.arange(b, device=text_embeds.device) + offset
        scale = self.scale()
        t2v = cosine_similarity_matrix(text_embeds, all_videos) * scale
        v2t = cosine_similarity_matrix(video_embeds, all_texts) * scale
        return F.cross_entropy(t2v, target) + F.cross_entropy(v2t, target)
