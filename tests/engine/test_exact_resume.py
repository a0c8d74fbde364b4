"""Exact resume (issue 16, item 7): a real pre-training run killed with
SIGKILL after a checkpoint and resumed logs exactly the uninterrupted run's
losses at every iteration and ends with bit-identical weights.

Randomness covered: dropout and stochastic depth, VTM negatives (model, main
process; restored by ``RandomStateHook``), caption choice, frame sampling,
random crops and flips, MLM masks and false videos (2 dataloader workers;
per-sample seeds from ``ResumableInfiniteSampler``).
"""
import glob
import json
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest
import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
HERE = osp.dirname(osp.abspath(__file__))
CONFIG = osp.join(HERE, 'exact_resume_config.py')
MAX_ITERS, FREEZE_AT = 6, 3


def _env():
    env = dict(os.environ, OMP_NUM_THREADS='1')
    env['PYTHONPATH'] = os.pathsep.join([HERE, REPO,
                                         env.get('PYTHONPATH', '')])
    return env


def _cmd(work_dir, *args, config=CONFIG):
    return [sys.executable, osp.join(REPO, 'tools', 'train.py'), config,
            '--work-dir', work_dir, *args]


def _losses(work_dir):
    """{iteration: {loss name: value}} over all runs in ``work_dir``."""
    out = {}
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                          'scalars.json'))):
        for line in open(path):
            row = json.loads(line)
            if 'loss' in row:
                assert row['iter'] not in out, 'iteration logged twice'
                out[row['iter']] = {k: v for k, v in row.items()
                                    if k.startswith('loss')}
    return out


def _weights(path):
    return torch.load(path, map_location='cpu',
                      weights_only=False)['state_dict']


@pytest.mark.slow
def test_killed_and_resumed_run_equals_the_uninterrupted_one(tmp_path):
    # 1. the uninterrupted run
    full = str(tmp_path / 'full')
    proc = subprocess.run(_cmd(full), cwd=REPO, env=_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-5000:]

    # 2. a run killed with SIGKILL right after checkpoint 3
    work = str(tmp_path / 'killed')
    marker = tmp_path / 'frozen'
    freezing = tmp_path / 'freezing.py'
    freezing.write_text(
        f'_base_ = [{CONFIG!r}]\n'
        f'custom_hooks = [dict(type="FreezeAfterIterHook", '
        f'freeze_at={FREEZE_AT}, marker_file={str(marker)!r})]\n')
    killed = subprocess.Popen(_cmd(work, config=str(freezing)), cwd=REPO,
                              env=_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    deadline = time.time() + 400
    while not marker.exists():
        if killed.poll() is not None or time.time() > deadline:
            killed.kill()
            pytest.fail(killed.stdout.read().decode()[-5000:])
        time.sleep(0.2)
    os.kill(killed.pid, signal.SIGKILL)
    assert killed.wait(timeout=60) == -signal.SIGKILL
    killed.stdout.close()

    # 3. --resume from its last checkpoint
    proc = subprocess.run(_cmd(work, '--resume'), cwd=REPO, env=_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-5000:]

    expected, got = _losses(full), _losses(work)
    assert sorted(expected) == list(range(1, MAX_ITERS + 1))
    assert sorted(got) == sorted(expected)
    for it in expected:
        assert got[it] == expected[it], (it, got[it], expected[it])
    a = _weights(osp.join(full, f'iter_{MAX_ITERS}.pth'))
    b = _weights(osp.join(work, f'iter_{MAX_ITERS}.pth'))
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key
    assert f'Restored the random states saved at iteration {FREEZE_AT}' \
        in proc.stdout
