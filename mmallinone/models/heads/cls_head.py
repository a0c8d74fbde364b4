"""Linear classification head on a video feature."""
from typing import Dict

import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from mmallinone.registry import MODELS

__all__ = ['VideoClsHead']


@MODELS.register_module()
class VideoClsHead(BaseModule):
    """Dropout + linear classifier: ``(B, C) -> (B, num_classes)``.

    Args:
        in_channels (int): ``C``.
        num_classes (int): Number of classes.
        dropout (float): Dropout before the classifier. Defaults to 0.
    """

    def __init__(self, in_channels: int, num_classes: int,
                 dropout: float = 0.0, init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_classes < 2:
            raise ValueError(f'num_classes must be >= 2, got {num_classes}')
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, feats: Tensor) -> Tensor:
        return self.fc(self.dropout(feats))

    def loss(self, logits: Tensor, labels: Tensor) -> Dict[str, Tensor]:
        """Cross-entropy and top-1 accuracy."""
        return dict(
            loss_cls=F.cross_entropy(logits.float(), labels),
            acc_cls=(logits.argmax(-1) == labels).float().mean())
