"""A registered toy model for the shard training tests.

:class:`ShardRecordingModel` trains a linear layer on the mean colour of
each clip (real decoded frames from the shards) and appends
``<rank> <filename>`` of every training sample it sees to ``record_file``,
so a test can tell which samples each rank read in which order.
"""
from typing import Optional

import torch
import torch.nn as nn
from mmengine.dist import get_rank
from mmengine.model import BaseModel

from mmallinone.registry import MODELS

__all__ = ['ShardRecordingModel']


@MODELS.register_module(force=True)
class ShardRecordingModel(BaseModel):
    """Regress a constant from per-clip channel means; record the samples.

    Args:
        record_file (str, optional): File the samples are appended to.
    """

    def __init__(self, record_file: Optional[str] = None) -> None:
        super().__init__()
        self.record_file = record_file
        self.fc = nn.Linear(3, 1)

    def forward(self, inputs, data_samples=None, mode: str = 'tensor'):
        """Args: inputs ``dict(imgs=[uint8 (S, 3, H, W)])``."""
        imgs = inputs['imgs']
        x = torch.stack([i.float().mean(dim=(0, 2, 3)) / 255 for i in imgs])
        out = self.fc(x)
        if mode == 'loss':
            if self.record_file and data_samples is not None:
                with open(self.record_file, 'a') as f:
                    for s in data_samples:
                        f.write(f'{get_rank()} {s.metainfo["filename"]}\n')
            return dict(loss=((out - 1.0)**2).mean())
        return out
