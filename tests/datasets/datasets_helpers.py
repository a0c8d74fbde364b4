"""Helpers of the dataset tests: demo video paths, a tiny real pipeline and
a training config over a folder of partly broken videos."""
import json
import os.path as osp
from typing import List, Sequence

import torch

import numpy as np
from mmengine.config import Config

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


# the broken-video folder of make_corrupt_video_data
GOOD_VIDEOS = ['eye_makeup.avi', 'small_a.mp4', 'small_b.mp4']
BAD_VIDEOS = ['truncated.mp4', 'truncated.avi', 'random.mp4', 'empty.mp4',
              'missing.mp4', 'one_frame.mp4']


def _small_mp4(path, seed, frames=24) -> None:
    """A 64x48 mp4 (fast to decode on a loaded CPU)."""
    import cv2
    rng = np.random.RandomState(seed)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'mp4v'), 24,
                             (64, 48))
    for _ in range(frames):
        writer.write(rng.randint(0, 255, (48, 64, 3), dtype=np.uint8))
    writer.release()


def make_corrupt_video_data(root) -> str:
    """Videos in ``root`` and a 50-row annotation file (its path returned):
    44 usable rows, 6 broken ones (every 10th row and row 48), one per
    entry of BAD_VIDEOS."""
    _small_mp4(root / 'small_a.mp4', 0)
    _small_mp4(root / 'small_b.mp4', 1)
    _small_mp4(root / 'one_frame.mp4', 2, frames=1)
    mp4 = open(osp.join(DEMO_DIR, 'pool_cleaning.mp4'), 'rb').read()
    (root / 'truncated.mp4').write_bytes(mp4[:len(mp4) // 3])
    avi = open(osp.join(DEMO_DIR, 'eye_makeup.avi'), 'rb').read()
    (root / 'truncated.avi').write_bytes(avi[:len(avi) // 2])
    (root / 'random.mp4').write_bytes(np.random.RandomState(0).bytes(30000))
    (root / 'empty.mp4').write_bytes(b'')
    rows = []
    for i in range(50):
        if i % 10 == 5 or i == 48:
            rows.append(dict(video=BAD_VIDEOS[5 if i == 48 else i // 10],
                             caption=f'broken {i}'))
        else:
            name = GOOD_VIDEOS[i % len(GOOD_VIDEOS)]
            if name.endswith('.avi'):  # the real shared xvid video
                name = osp.join(DEMO_DIR, name)
            rows.append(dict(video=name, caption=f'a video number {i}'))
    path = root / 'ann.jsonl'
    path.write_text('\n'.join(json.dumps(r) for r in rows) + '\n')
    return str(path)


def corrupt_video_train_cfg(tmp_path, *, num_workers: int, shuffle: bool,
                            max_iters: int,
                            checkpoint_interval: int) -> Config:
    """configs/allinone/pretrain_ti_demo.py shrunk to a 1-block, 32-wide
    model on 2-frame 32x32 clips, training (batch 5, logging every
    iteration) on make_corrupt_video_data's folder under ``tmp_path``."""
    data_dir = tmp_path / 'data'
    data_dir.mkdir()
    ann = make_corrupt_video_data(data_dir)
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'allinone', 'pretrain_ti_demo.py'))
    cfg.model.backbone.update(
        arch=dict(embed_dims=32, num_layers=1, num_heads=2), img_size=32,
        num_frames=2, max_text_len=16)
    cfg.train_dataloader.update(
        batch_size=5, num_workers=num_workers,
        persistent_workers=num_workers > 0,
        sampler=dict(type='DefaultSampler', shuffle=shuffle))
    cfg.train_dataloader.dataset.update(
        data_root='', ann_file=ann, data_prefix=dict(video=str(data_dir)),
        num_false_videos=0, pipeline=[
            dict(type='SafeDecordInit', min_frames=2),
            dict(type='mmaction.UniformSample', clip_len=2, num_clips=1),
            dict(type='mmaction.DecordDecode'),
            dict(type='mmaction.Resize', scale=(32, 32), keep_ratio=False),
            dict(type='TokenizeText', max_length=16),
            dict(type='MaskTokensForMLM'),
            dict(type='PackVideoTextInputs'),
        ])
    cfg.model.vtm_negative_source = 'batch'  # no false videos: in-batch
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters)
    cfg.param_scheduler = []
    cfg.default_hooks.logger.interval = 1
    cfg.default_hooks.checkpoint.interval = checkpoint_interval
    cfg.work_dir = str(tmp_path / 'work')
    cfg.log_level = 'WARNING'
    return cfg
