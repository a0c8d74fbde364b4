"""A tiny registered model and dataset for runtime/tool tests.

Imported by toy configs through ``custom_imports`` (with ``tests/tools`` on
``PYTHONPATH``) and by in-process tests.
"""
from typing import Dict, List, Optional

import torch
import torch.nn as nn
from mmengine.dataset import BaseDataset
from mmengine.model import BaseModel

from mmallinone.registry import DATASETS, MODELS

__all__ = ['ToyModel', 'ToyDataset', 'toy_runner_cfg']


@MODELS.register_module(force=True)
class ToyModel(BaseModel):
    """Linear regression ``y = Wx + b`` with an MMEngine ``forward``.

    Args:
        in_dim (int): Input features. Defaults to 4.
    """

    def __init__(self, in_dim: int = 4) -> None:
        super().__init__()
        self.linear = nn.Linear(in_dim, 1)
        self.norm = nn.LayerNorm(in_dim)
        self.pos_embed = nn.Parameter(torch.zeros(1, in_dim))

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[torch.Tensor] = None,
                mode: str = 'tensor',
                **kwargs):
        """Args: inputs (B, in_dim) float; data_samples (B,) float targets."""
        if isinstance(inputs, list):
            inputs = torch.stack(inputs)
        out = self.linear(self.norm(inputs) + self.pos_embed).squeeze(-1)
        if mode == 'loss':
            if isinstance(data_samples, list):
                data_samples = torch.stack(data_samples)
            return dict(loss=((out - data_samples)**2).mean())
        return out


@DATASETS.register_module(force=True)
class ToyDataset(BaseDataset):
    """``num`` random (x, y) pairs, fully in memory.

    Args:
        num (int): Number of samples. Defaults to 16.
        in_dim (int): Input features. Defaults to 4.
    """

    def __init__(self, num: int = 16, in_dim: int = 4, **kwargs) -> None:
        self.num = num
        self.in_dim = in_dim
        super().__init__(serialize_data=False, **kwargs)

    def load_data_list(self) -> List[Dict]:
        """Build the samples from a fixed seed."""
        generator = torch.Generator().manual_seed(0)
        x = torch.randn(self.num, self.in_dim, generator=generator)
        y = x.sum(-1)
        return [dict(inputs=x[i], data_samples=y[i]) for i in range(self.num)]


def toy_runner_cfg(work_dir: str, max_iters: int = 2, **kwargs) -> Dict:
    """Keyword arguments of an MMEngine ``Runner`` training the toy model."""
    cfg = dict(
        model=dict(type='ToyModel'),
        work_dir=work_dir,
        train_dataloader=dict(
            dataset=dict(type='ToyDataset'),
            sampler=dict(type='DefaultSampler', shuffle=True),
            batch_size=2,
            num_workers=0),
        optim_wrapper=dict(
            type='OptimWrapper', optimizer=dict(type='AdamW', lr=1e-2)),
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=max_iters),
        default_hooks=dict(
            checkpoint=dict(
                type='CheckpointHook', interval=1, by_epoch=False),
            logger=dict(type='LoggerHook', interval=1)),
        log_processor=dict(by_epoch=False),
        default_scope='mmallinone',
        randomness=dict(seed=0),
        env_cfg=dict(dist_cfg=dict(backend='nccl')),
    )
    cfg.update(kwargs)
    return cfg
