"""Masked language modelling head (BERT prediction head)."""
from typing import Dict

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from mmallinone.registry import MODELS

__all__ = ['MLMHead']


@MODELS.register_module()
class MLMHead(BaseModule):
    """Transform (dense, GELU, LayerNorm) then vocabulary decoder + bias.

    Key names match the authors' ``mlm_score``: ``transform.dense``,
    ``transform.LayerNorm``, ``decoder.weight`` (no bias), ``bias``. The
    decoder is untied from the word embeddings by default, as in the released
    checkpoints; the pre-training model can tie it (``tie_mlm_decoder``).

    Args:
        in_channels (int): ``C``.
        vocab_size (int): Defaults to 30522.
        layer_norm_eps (float): Defaults to 1e-12 (BERT).
    """

    def __init__(self,
                 in_channels: int,
                 vocab_size: int = 30522,
                 layer_norm_eps: float = 1e-12,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.transform = nn.Module()
        self.transform.dense = nn.Linear(in_channels, in_channels)
        self.transform.act = nn.GELU()
        self.transform.LayerNorm = nn.LayerNorm(
            in_channels, eps=layer_norm_eps)
        self.decoder = nn.Linear(in_channels, vocab_size, bias=False)
        self.bias = nn.Parameter(torch.zeros(vocab_size))

    def forward(self, text_feats: Tensor) -> Tensor:
        """``(N, C)`` or ``(B, Lt, C)`` -> vocabulary logits ``(..., V)``."""
        t = self.transform
        x = t.LayerNorm(t.act(t.dense(text_feats)))
        return self.decoder(x) + self.bias

    def loss(self, text_feats: Tensor, labels: Tensor) -> Dict[str, Tensor]:
        """CE over masked positions only (labels ``-100`` elsewhere).

        The vocabulary projection runs on masked positions only (about 15 %
        of tokens), which saves most of the head's compute.

        Args:
            text_feats (Tensor): ``(B, Lt, C)``.
            labels (Tensor): ``(B, Lt)``.
        """
        selected = labels != -100
        if not selected.any():
            zero = text_feats.sum() * 0.
            return dict(loss_mlm=zero, acc_mlm=zero.detach())
        logits = self(text_feats[selected])  # (N, V)
        target = labels[selected]
        return dict(
            loss_mlm=F.cross_entropy(logits.float(), target),
            acc_mlm=(logits.argmax(-1) == target).float().mean())
