"""Skip counts added up over dataloader workers and ranks, logged at the end
of training and stored in the checkpoint; decord's native messages kept off
the terminal (issue 16, item 12)."""
import glob
import json
import os
import os.path as osp
import re
import subprocess
import sys

import pytest
import torch
from mmengine.runner import Runner

from datasets_helpers import REPO, corrupt_video_train_cfg


@pytest.mark.slow
def test_counts_of_two_workers_are_logged_and_saved(tmp_path):
    cfg = corrupt_video_train_cfg(tmp_path, num_workers=2, shuffle=False,
                                  max_iters=4, checkpoint_interval=4)
    runner = Runner.from_cfg(cfg)
    runner.train()

    log = open(glob.glob(osp.join(cfg.work_dir, '*', '*.log'))[0]).read()
    # one warning per skip, written by the two worker processes
    skips = re.findall(r'skipped sample \d+ "', log)
    assert len(skips) >= 2  # rows 5 and 15 of the first 20
    dataset = runner.train_loop.dataloader.dataset
    assert dataset.num_skipped == 0  # the main process loaded nothing
    # the workers' prefetching loads more than the 4 x 5 trained samples
    (skipped, attempted), = re.findall(
        r'Data: (\d+) of (\d+) sample loads skipped', log)
    assert int(skipped) == len(skips)
    assert int(attempted) >= 20 + len(skips)
    ckpt = torch.load(osp.join(cfg.work_dir, 'iter_4.pth'),
                      weights_only=False)
    saved = ckpt['message_hub']['runtime_info']['data_skip_counts']
    assert set(saved) == {'attempted', 'skipped', 'invalid_rows'}
    assert 2 <= saved['skipped'] <= len(skips)
    assert 20 + saved['skipped'] <= saved['attempted'] <= int(attempted)
    assert saved['invalid_rows'] == 0
    # no raw video bytes in the log
    assert 'ERROR opening' not in log


_RANKS_SCRIPT = """
import json, sys
import torch.multiprocessing as mp


def _rank(rank, port, ann, out):
    import torch.distributed as dist

    import mmallinone  # noqa: F401
    from mmallinone.datasets import VideoTextDataset
    from mmallinone.engine import DataSkipCountHook
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}',
                            rank=rank, world_size=2)
    ds = VideoTextDataset(
        ann_file=ann, data_prefix=dict(video='/nonexistent'),
        skip_invalid_rows=True,
        pipeline=[dict(type='mmallinone.SafeDecordInit')])
    for idx in range(rank + 1):  # rank 0 skips 1 sample, rank 1 skips 2
        assert ds._load(idx) is None
    hook = DataSkipCountHook()
    hook._datasets = [ds]
    with open(f'{out}.{rank}', 'w') as f:
        json.dump(hook.totals(), f)
    dist.destroy_process_group()


if __name__ == '__main__':
    mp.start_processes(_rank, args=(int(sys.argv[1]), sys.argv[2],
                                    sys.argv[3]), nprocs=2,
                       start_method='fork')
"""


@pytest.mark.slow  # a subprocess run
def test_counts_are_summed_over_two_ranks(tmp_path):
    ann = tmp_path / 'ann.jsonl'
    ann.write_text(
        '{"video": "a.mp4", "caption": "x"}\n{"video": "b.mp4"}\n'
        '{"video": "c.mp4", "caption": "y"}\n')
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    out = str(tmp_path / 'totals')
    # two real gloo ranks, forked from a fresh interpreter: forking the test
    # process itself can deadlock on threads earlier tests left running
    script = tmp_path / 'ranks.py'
    script.write_text(_RANKS_SCRIPT)
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join([REPO, env.get('PYTHONPATH', '')])
    proc = subprocess.run(
        [sys.executable, str(script), str(port), str(ann), out], env=env,
        capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for rank in range(2):
        totals = json.load(open(f'{out}.{rank}'))
        # skips summed; the invalid row (no caption) counted once
        assert totals == dict(attempted=3, skipped=3, invalid_rows=1)


@pytest.mark.slow  # a subprocess run
def test_decord_messages_stay_off_the_terminal(tmp_path):
    bad = tmp_path / 'random.mp4'
    bad.write_bytes(b'\x00\x00\x00\x18ftypmp42' + os.urandom(30000))
    code = (
        'import sys, mmallinone\n'
        'from mmallinone.datasets.transforms import SafeDecordInit\n'
        'try:\n'
        '    SafeDecordInit(check_header=False)(dict(filename=sys.argv[1]))\n'
        'except Exception as e:\n'
        '    print("ERROR", type(e).__name__, e)\n')
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join([REPO, env.get('PYTHONPATH', '')])
    proc = subprocess.run([sys.executable, '-c', code, str(bad)], env=env,
                          capture_output=True, timeout=120)
    assert b'moov atom' not in proc.stderr, proc.stderr[-2000:]
    assert b'ERROR opening' not in proc.stderr, proc.stderr[-2000:]
    # the error itself names the file
    assert str(bad).encode() in proc.stdout, proc.stdout

