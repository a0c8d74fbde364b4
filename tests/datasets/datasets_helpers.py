"""Helpers of the dataset tests: demo video paths and a tiny real pipeline."""
import os.path as osp
from typing import List, Sequence

import torch

import mmallinone  # noqa: F401
from mmallinone.datasets import BaseVideoTextDataset

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO_DIR = osp.join(REPO, 'data', 'demo')
TEST_DATA = osp.join(REPO, 'tests', 'data')
VIDEOS = {
    'arm_wrestling.mp4': (280, 28),
    'two_men_greeting_1080p.mp4': (72, 28),
    'basketball_gym.mp4': (300, 30),
    'pool_cleaning.mp4': (300, 30),
    'eye_makeup.avi': (164, 25),
}


def tiny_pipeline(test_mode: bool = False,
                  num_frames: int = 3,
                  size: int = 32,
                  mlm: bool = True,
                  window: bool = False) -> List[dict]:
    """A small but real decode pipeline (32x32 crops)."""
    pipeline = [dict(type='mmaction.DecordInit')]
    if window:
        pipeline.append(dict(type='RestrictToClipWindow'))
    pipeline += [
        dict(
            type='mmaction.UniformSample',
            clip_len=num_frames,
            num_clips=1,
            test_mode=test_mode),
        dict(type='mmaction.DecordDecode'),
        dict(type='mmaction.Resize', scale=(-1, size + size // 4)),
        dict(type='mmaction.CenterCrop', crop_size=size) if test_mode else
        dict(type='mmaction.RandomCrop', size=size),
        dict(type='TokenizeText', max_length=40),
    ]
    if mlm:
        pipeline.append(dict(type='MaskTokensForMLM'))
    pipeline.append(dict(type='PackVideoTextInputs'))
    return pipeline


class ListedDataset(BaseVideoTextDataset):
    """``n`` samples ``v{i}.mp4`` / ``caption {i}`` without a file; the
    default pipeline packs the index as ``inputs['imgs']`` (a LongTensor
    ``(1,)``) and raises ``FileNotFoundError`` for the ``broken`` ones."""

    def __init__(self, n: int, broken: Sequence[int] = (), **kwargs) -> None:
        self.n = n
        self.broken = set(broken)
        kwargs.setdefault('pipeline', [self.pack])
        super().__init__(ann_file='', **kwargs)

    def load_data_list(self) -> List[dict]:
        return [
            dict(filename=f'v{i}.mp4', video_id=str(i), text=f'caption {i}')
            for i in range(self.n)
        ]

    def pack(self, results: dict) -> dict:
        i = int(results['video_id'])
        if i in self.broken:
            raise FileNotFoundError(results['filename'])
        return dict(inputs=dict(imgs=torch.tensor([i])), data_samples=None)
