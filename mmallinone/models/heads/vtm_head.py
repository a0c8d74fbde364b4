"""Video-text matching (VTM / ITM) head."""
from typing import Dict

import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from mmallinone.registry import MODELS

__all__ = ['VTMHead']


@MODELS.register_module()
class VTMHead(BaseModule):
    """Two-way classifier on the pooled feature; class 1 means "matched".

    Key ``fc`` matches the authors' ``itm_score.fc``.

    Args:
        in_channels (int): ``C``.
    """

    def __init__(self, in_channels: int, init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.fc = nn.Linear(in_channels, 2)

    def forward(self, pooled: Tensor) -> Tensor:
        """``(B, C)`` -> logits ``(B, 2)``."""
        return self.fc(pooled)

    def loss(self, logits: Tensor, labels: Tensor) -> Dict[str, Tensor]:
        """Cross-entropy and accuracy for labels ``(B,)`` in {0, 1}."""
        return dict(
            loss_vtm=F.cross_entropy(logits.float(), labels),
            acc_vtm=(logits.argmax(-1) == labels).float().mean())
