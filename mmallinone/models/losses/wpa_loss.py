"""Word-patch alignment (WPA) loss via inexact proximal optimal transport."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmallinone.registry import MODELS

__all__ = ['WordPatchAlignmentLoss', 'ipot']


@torch.no_grad()
def ipot(cost: Tensor, pad_x: Tensor, pad_y: Tensor, beta: float = 0.5,
         iterations: int = 50, k: int = 1) -> Tensor:
    """Batched IPOT transport plan (Xie et al. 2020), as used by UNITER.

    Restated from the authors' IPOT: ``A = exp(-C^T / beta)``, ``T = 1``,
    ``sigma = 1 / len_x``; repeat ``Q = A * T`` and ``k`` times
    ``delta = 1 / (len_y * Q sigma + 1e4 pad_y)``,
    ``sigma = 1 / (len_x * Q^T delta + 1e4 pad_x)``; then
    ``T = delta * Q * sigma^T``. Padded rows/columns are zeroed.

    Args:
        cost (Tensor): ``(B, Lx, Ly)`` with zeros on padded pairs.
        pad_x (Tensor): ``(B, Lx)`` bool, True = padding.
        pad_y (Tensor): ``(B, Ly)`` bool, True = padding.

    Returns:
        Tensor: The plan ``(B, Ly, Lx)`` (detached).
    """
    b, lx, ly = cost.shape
    len_x = (~pad_x).sum(1, keepdim=True).clamp(min=1).to(cost)[..., None]
    len_y = (~pad_y).sum(1, keepdim=True).clamp(min=1).to(cost)[..., None]
    px = pad_x.to(cost)[..., None]  # (B, Lx, 1)
    py = pad_y.to(cost)[..., None]  # (B, Ly, 1)
    sigma = torch.ones(b, lx, 1, dtype=cost.dtype, device=cost.device)
    sigma = sigma / len_x
    plan = torch.ones(b, ly, lx, dtype=cost.dtype, device=cost.device)
    a = torch.exp(-cost.transpose(1, 2) / beta)  # (B, Ly, Lx)
    for _ in range(iterations):
        q = a * plan
        for _ in range(k):
            delta = 1 / (len_y * q.bmm(sigma) + 1e4 * py)  # (B, Ly, 1)
            sigma = 1 / (len_x * q.transpose(1, 2).bmm(delta) + 1e4 * px)
        plan = delta * q * sigma.transpose(1, 2)
    keep = (~pad_y)[:, :, None] & (~pad_x)[:, None, :]
    return plan.masked_fill(~keep, 0)


@MODELS.register_module()
class WordPatchAlignmentLoss(nn.Module):
    """Optimal-transport distance between words and patches.

    ``d_b = trace(C_b T_b)`` with ``C = 1 - cos(word, patch)`` and ``T`` the
    IPOT plan; the loss is ``(sum_pos d - sum_neg d) / B`` (unweighted;
    the task model applies its ``loss_weights['wpa']``): matched pairs are
    pulled together, mismatched pairs pushed apart. Computed in fp32 with
    autocast off. The first text token ([CLS]), the last real text token
    ([SEP]) and the visual CLS are excluded, as the authors do.

    Args:
        beta (float): Proximal step. Defaults to 0.5.
        iterations (int): Outer IPOT iterations. Defaults to 50.
        k (int): Inner iterations. Defaults to 1.
    """

    def __init__(self, beta: float = 0.5, iterations: int = 50,
                 k: int = 1) -> None:
        super().__init__()
        self.beta, self.iterations, self.k = beta, iterations, k

    def forward(self,
                text_feats: Tensor,
                video_feats: Tensor,
                text_mask: Tensor,
                is_positive: Tensor,
                video_mask: Optional[Tensor] = None) -> Tensor:
        """Compute the unweighted OT term.

        Args:
            text_feats (Tensor): ``(B, Lt, C)``.
            video_feats (Tensor): ``(B, Lv, C)``.
            text_mask (Tensor): ``(B, Lt)``, 1 = real token.
            is_positive (Tensor): ``(B,)`` bool, matched pairs.
            video_mask (Tensor, optional): ``(B, Lv)``, 1 = real token.
        """
        with torch.autocast(device_type=text_feats.device.type,
                            enabled=False):
            txt = text_feats.float()
            vid = video_feats.float()
            valid_t = text_mask.bool().clone()
            valid_t[:, 0] = False  # [CLS]
            last = text_mask.long().sum(1) - 1  # [SEP]
            valid_t[torch.arange(len(last)), last.clamp(min=0)] = False
            if video_mask is None:
                valid_v = torch.ones(vid.shape[:2], dtype=torch.bool,
                                     device=vid.device)
            else:
                valid_v = video_mask.bool().clone()
            valid_v[:, 0] = False  # visual CLS
            cost = 1 - F.normalize(txt, dim=-1).bmm(
                F.normalize(vid, dim=-1).transpose(1, 2))
            joint_pad = ~(valid_t[:, :, None] & valid_v[:, None, :])
            cost = cost.masked_fill(joint_pad, 0)
            plan = ipot(cost.detach(), ~valid_t, ~valid_v, self.beta,
                        self.iterations, self.k)
            dist = (cost * plan.transpose(1, 2)).sum((1, 2))  # (B,)
            sign = is_positive.float() * 2 - 1
            return (sign * dist).sum() / dist.shape[0]
