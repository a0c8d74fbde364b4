"""A dataset with 12 % broken videos trains to the end and logs exactly
those skips (truncated mp4, truncated AVI - a decord segfault without
SafeDecordInit -, random bytes, empty file, missing path, and a video with
fewer frames than the clip needs)."""
import glob
import json
import os.path as osp
import re

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from datasets_helpers import DEMO_DIR, REPO

GOOD = ['eye_makeup.avi', 'small_a.mp4', 'small_b.mp4']
BAD = ['truncated.mp4', 'truncated.avi', 'random.mp4', 'empty.mp4',
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


def _make_data(root) -> str:
    """50 rows: 44 usable videos, 6 broken (every 10th row and row 48)."""
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
            rows.append(dict(video=BAD[5 if i == 48 else i // 10],
                             caption=f'broken {i}'))
        else:
            name = GOOD[i % len(GOOD)]
            if name.endswith('.avi'):  # the real shared xvid video
                name = osp.join(DEMO_DIR, name)
            rows.append(dict(video=name, caption=f'a video number {i}'))
    path = root / 'ann.jsonl'
    path.write_text('\n'.join(json.dumps(r) for r in rows) + '\n')
    return str(path)


def _pipeline():
    return [
        dict(type='SafeDecordInit', min_frames=2),
        dict(type='mmaction.UniformSample', clip_len=2, num_clips=1),
        dict(type='mmaction.DecordDecode'),
        dict(type='mmaction.Resize', scale=(32, 32), keep_ratio=False),
        dict(type='TokenizeText', max_length=16),
        dict(type='MaskTokensForMLM'),
        dict(type='PackVideoTextInputs'),
    ]


@pytest.mark.slow
def test_ten_percent_corrupt_trains_to_the_end(tmp_path):
    data_dir = tmp_path / 'data'
    data_dir.mkdir()
    ann = _make_data(data_dir)
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'allinone', 'pretrain_ti_demo.py'))
    cfg.model.backbone.update(
        arch=dict(embed_dims=32, num_layers=1, num_heads=2), img_size=32,
        num_frames=2, max_text_len=16)
    cfg.train_dataloader.update(
        batch_size=5, num_workers=0, persistent_workers=False,
        sampler=dict(type='DefaultSampler', shuffle=True))
    cfg.train_dataloader.dataset.update(
        data_root='', ann_file=ann, data_prefix=dict(video=str(data_dir)),
        num_false_videos=0, pipeline=_pipeline())
    cfg.model.vtm_negative_source = 'batch'  # no false videos: in-batch
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=10)
    cfg.param_scheduler = []
    cfg.default_hooks.logger.interval = 1
    cfg.default_hooks.checkpoint.interval = 100
    cfg.work_dir = str(tmp_path / 'work')
    cfg.log_level = 'WARNING'
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 10  # to the end: 10 x 5 = one epoch

    log = open(glob.glob(osp.join(cfg.work_dir, '*', '*.log'))[0]).read()
    skips = re.findall(r'skipped sample (\d+) "([^"]+)" \((\w+): (.*?)\); '
                       r'(\d+) skipped of (\d+) attempted', log)
    dataset = runner.train_loop.dataloader.dataset
    # every broken file, and nothing else, is skipped, with a running count
    assert {osp.basename(name) for _, name, *_ in skips} == set(BAD)
    assert [int(s[4]) for s in skips] == list(range(1, len(skips) + 1))
    assert len(skips) == dataset.num_skipped
    reasons = {osp.basename(name): (err, msg) for _, name, err, msg, *_ in
               skips}
    assert reasons['truncated.avi'][0] == 'VideoCheckError'
    assert 'LIST movi' in reasons['truncated.avi'][1] or \
        'RIFF chunk' in reasons['truncated.avi'][1]
    assert reasons['empty.mp4'][0] == 'VideoCheckError'
    assert reasons['missing.mp4'][0] == 'FileNotFoundError'
    assert 'box "mdat"' in reasons['truncated.mp4'][1]
    assert 'has 1 frames, fewer than min_frames=2' in \
        reasons['one_frame.mp4'][1]
    assert {int(i) for i, name, *_ in skips} == {5, 15, 25, 35, 45, 48}
