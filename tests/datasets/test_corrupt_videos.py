"""A dataset with 12 % broken videos trains to the end and logs exactly
those skips (truncated mp4, truncated AVI - a decord segfault without
SafeDecordInit -, random bytes, empty file, missing path, and a video with
fewer frames than the clip needs)."""
import glob
import os.path as osp
import re

import pytest
from mmengine.runner import Runner

from datasets_helpers import BAD_VIDEOS, corrupt_video_train_cfg


@pytest.mark.slow
def test_ten_percent_corrupt_trains_to_the_end(tmp_path):
    cfg = corrupt_video_train_cfg(tmp_path, num_workers=0, shuffle=True,
                                  max_iters=10, checkpoint_interval=100)
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 10  # to the end: 10 x 5 = one epoch

    log = open(glob.glob(osp.join(cfg.work_dir, '*', '*.log'))[0]).read()
    skips = re.findall(r'skipped sample (\d+) "([^"]+)" \((\w+): (.*?)\); '
                       r'(\d+) skipped of (\d+) attempted', log)
    dataset = runner.train_loop.dataloader.dataset
    # every broken file, and nothing else, is skipped, with a running count
    assert {osp.basename(name) for _, name, *_ in skips} == set(BAD_VIDEOS)
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
