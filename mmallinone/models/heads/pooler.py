"""Pooler: dense + tanh on the first token."""
import torch.nn as nn
from mmengine.model import BaseModule
from torch import Tensor

from mmallinone.registry import MODELS

__all__ = ['AllInOnePooler']


@MODELS.register_module()
class AllInOnePooler(BaseModule):
    """``tanh(W x[:, 0] + b)`` (BERT-style pooler, key ``dense``).

    Args:
        in_channels (int): ``C``.
    """

    def __init__(self, in_channels: int, init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.dense = nn.Linear(in_channels, in_channels)
        self.activation = nn.Tanh()

    def forward(self, feats: Tensor) -> Tensor:
        """``(B, L, C)`` or ``(B, C)`` -> pooled ``(B, C)``."""
        first = feats[:, 0] if feats.dim() == 3 else feats
        return self.activation(self.dense(first))
