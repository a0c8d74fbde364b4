"""A diverging run stops loudly by default (issue 16, item 5).

``tools/train.py`` on the toy config (``configs/_base_/default_runtime.py``
defaults) with ``lr=1e10``: the loss turns non-finite after a few steps. The
default ``NonFiniteLossHook`` skips at most 5 steps in a row, then the run
exits non-zero; the iteration it reports is the log's; no checkpoint with
non-finite weights is written or becomes the latest one.
"""
import glob
import math
import os
import os.path as osp
import re
import subprocess
import sys

import pytest
import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOLS_TESTS = osp.join(REPO, 'tests', 'tools')
TOY_CONFIG = osp.join(TOOLS_TESTS, 'toy_config.py')


def _finite_checkpoint(path: str) -> bool:
    state = torch.load(path, map_location='cpu', weights_only=False)
    return all(
        bool(torch.isfinite(v).all()) for v in state['state_dict'].values()
        if torch.is_tensor(v) and v.is_floating_point())


@pytest.mark.slow
def test_lr_1e10_exits_non_zero_without_nan_checkpoint(tmp_path):
    work_dir = str(tmp_path / 'work')
    env = dict(os.environ, OMP_NUM_THREADS='1')
    env['PYTHONPATH'] = os.pathsep.join(
        [TOOLS_TESTS, REPO, env.get('PYTHONPATH', '')])
    proc = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', 'train.py'), TOY_CONFIG,
         '--work-dir', work_dir, '--cfg-options',
         'optim_wrapper.optimizer.lr=1e10', 'train_cfg.max_iters=30',
         'default_hooks.checkpoint.interval=2', 'param_scheduler=[]'],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=300)
    out = proc.stdout
    assert proc.returncode != 0, out[-3000:]
    assert 'consecutive non-finite losses' in out or \
        'Not saving the checkpoint' in out, out[-3000:]

    # the iteration of the first error is the first log line with a
    # non-finite loss (both 1-based)
    errors = [int(i) for i in re.findall(
        r'Non-finite loss \(.*?\) at iteration (\d+)', out)]
    logged = [int(i) for i, loss in re.findall(
        r'Iter\(train\) \[\s*(\d+)/30\].*?loss: (\S+)', out)
        if not math.isfinite(float(loss))]
    assert errors and logged, out[-3000:]
    assert errors[0] == logged[0]
    assert errors == sorted(set(errors))
    assert len(errors) == 6  # 5 skips allowed, the 6th stops

    # every checkpoint on disk, and the latest one, holds finite weights
    ckpts = glob.glob(osp.join(work_dir, 'iter_*.pth'))
    assert ckpts
    assert all(_finite_checkpoint(p) for p in ckpts)
    last = open(osp.join(work_dir, 'last_checkpoint')).read().strip()
    assert _finite_checkpoint(last)
