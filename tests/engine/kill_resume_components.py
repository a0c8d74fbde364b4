"""Registered helpers of ``test_kill_resume.py`` (imported by its config).

- :class:`ReadRecordingDataset`: the toy regression data; appends every
  index it is asked for to ``record_file`` (one line per read, flushed), so
  that a test can tell which samples each process fetched.
- :class:`FreezeAfterIterHook`: after iteration ``freeze_at`` is logged and
  checkpointed, writes ``marker_file`` and blocks, so that the test can kill
  the process with SIGKILL at a known point.
"""
import os
import time
from typing import Dict, List, Optional

import torch
from mmengine.dataset import BaseDataset
from mmengine.hooks import Hook

from mmallinone.registry import DATASETS, HOOKS

__all__ = ['ReadRecordingDataset', 'FreezeAfterIterHook']


@DATASETS.register_module(force=True)
class ReadRecordingDataset(BaseDataset):
    """``num`` fixed random (x, y = sum(x)) pairs; logs every read index.

    Args:
        record_file (str): File the read indices are appended to.
        num (int): Number of samples. Defaults to 16.
        in_dim (int): Input features. Defaults to 4.
    """

    def __init__(self, record_file: str, num: int = 16, in_dim: int = 4,
                 **kwargs) -> None:
        self.record_file = record_file
        self.num = num
        self.in_dim = in_dim
        super().__init__(serialize_data=False, **kwargs)

    def load_data_list(self) -> List[Dict]:
        """Build the samples from a fixed seed."""
        generator = torch.Generator().manual_seed(0)
        x = torch.randn(self.num, self.in_dim, generator=generator)
        return [dict(inputs=x[i], data_samples=x[i].sum())
                for i in range(self.num)]

    def prepare_data(self, idx: int) -> dict:
        """Record ``idx`` (pid and index), then return the sample."""
        with open(self.record_file, 'a') as f:
            f.write(f'{os.getpid()} {idx}\n')
        return super().prepare_data(idx)


@HOOKS.register_module(force=True)
class FreezeAfterIterHook(Hook):
    """Block forever after iteration ``freeze_at`` (1-based).

    Runs after the logger and checkpoint hooks of the same iteration
    (priority ``LOWEST``).

    Args:
        freeze_at (int): Iteration after which to block.
        marker_file (str): Written (with the pid) when blocking starts.
    """

    priority = 'LOWEST'

    def __init__(self, freeze_at: int, marker_file: str) -> None:
        self.freeze_at = freeze_at
        self.marker_file = marker_file

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        if runner.iter + 1 == self.freeze_at:
            with open(self.marker_file, 'w') as f:
                f.write(str(os.getpid()))
            time.sleep(3600)  # the test kills us here
