"""Classifier heads of the video QA tasks."""
from typing import Optional

import torch.nn as nn
from mmengine.model import BaseModule
from torch import Tensor

from mmallinone.registry import MODELS

__all__ = ['OpenEndedQAHead', 'MultipleChoiceQAHead']


@MODELS.register_module()
class OpenEndedQAHead(BaseModule):
    """Answer classifier of open-ended video QA (the authors' ``openend_vqa``).

    ``Dropout(p) -> Linear(C, C*r) -> LayerNorm -> GELU -> Linear(C*r, N)``
    held in ``classifier`` (an ``nn.Sequential``), so the authors' keys
    ``vqa_classifier.{1,2,4}.*`` map 1:1 to ``classifier.{1,2,4}.*``.

    Args:
        in_channels (int): ``C``, width of the pooled feature.
        num_classes (int): ``N``, size of the answer vocabulary (the authors
            add one spare slot: MSRVTT-QA 1501, MSVD-QA 1001, TGIF-Frame
            1541).
        hidden_ratio (float): Hidden width as a fraction of ``C``.
            Defaults to 0.5.
        dropout (float): Dropout before the first Linear. Defaults to 0.5.
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 hidden_ratio: float = 0.5,
                 dropout: float = 0.5,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_classes < 1:
            raise ValueError(f'num_classes must be >= 1, got {num_classes}')
        hidden = max(1, int(in_channels * hidden_ratio))
        self.num_classes = num_classes
        self.classifier = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(in_channels, hidden),
            nn.LayerNorm(hidden), nn.GELU(), nn.Linear(hidden, num_classes))

    def forward(self, pooled: Tensor) -> Tensor:
        """``(B, C)`` -> answer logits ``(B, N)``."""
        return self.classifier(pooled)


@MODELS.register_module()
class MultipleChoiceQAHead(BaseModule):
    """Candidate scorer of multiple-choice video QA (the authors' ``mc_vqa``).

    ``Dropout(p) -> Linear(C, H) -> LayerNorm -> GELU -> Linear(H, 1)`` held
    in ``classifier``: keys ``mc_vqa_classifier.{1,2,4}.*`` map 1:1.

    Args:
        in_channels (int): ``C``.
        hidden_channels (int): ``H``. Defaults to 256.
        dropout (float): Defaults to 0.1.
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(self,
                 in_channels: int,
                 hidden_channels: int = 256,
                 dropout: float = 0.1,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.classifier = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(in_channels, hidden_channels),
            nn.LayerNorm(hidden_channels), nn.GELU(),
            nn.Linear(hidden_channels, 1))

    def forward(self, pooled: Tensor) -> Tensor:
        """``(..., C)`` -> scores ``(...)``."""
        return self.classifier(pooled).squeeze(-1)
