"""``tools/train.py`` killed with SIGKILL after a checkpoint, then
``--resume``d: it ends at the same final iteration, every iteration's loss is
logged exactly once across the two runs, the lr schedule continues, and the
resumed run fetches exactly the samples after its resume point (none from
before it). That the resumed weights equal an uninterrupted run's is tested
in-process by ``test_resume_by_index.py``."""
import glob
import itertools
import json
import math
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.slow  # subprocess / multi-process / training runs

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
HERE = osp.dirname(osp.abspath(__file__))
CONFIG = osp.join(HERE, 'kill_resume_config.py')
MAX_ITERS, FREEZE_AT, BATCH = 12, 8, 2  # checkpoints at 4 and 8


def _config(tmp_path, name, freeze=False) -> str:
    """A config inheriting the test config, with its own record file."""
    lines = [f'_base_ = [{CONFIG!r}]',
             f'train_dataloader = dict(dataset=dict(record_file='
             f'{str(tmp_path / (name + "_reads.txt"))!r}))']
    if freeze:
        lines.append(f'custom_hooks = [dict(type="FreezeAfterIterHook", '
                     f'freeze_at={FREEZE_AT}, '
                     f'marker_file={str(tmp_path / "frozen")!r})]')
    path = tmp_path / f'{name}.py'
    path.write_text('\n'.join(lines) + '\n')
    return str(path)


def _cmd(config, work_dir, *args):
    return [sys.executable, osp.join(REPO, 'tools', 'train.py'), config,
            '--work-dir', work_dir, *args]


def _env():
    env = dict(os.environ, OMP_NUM_THREADS='1')
    env['PYTHONPATH'] = os.pathsep.join(
        [HERE, osp.join(REPO, 'tests', 'tools'), REPO,
         env.get('PYTHONPATH', '')])
    env.pop('MMALLINONE_TRUST_CHECKPOINTS', None)
    return env


def _run(cmd) -> str:
    proc = subprocess.run(cmd, cwd=REPO, env=_env(), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-5000:]
    return proc.stdout


def _logs(work_dir):
    """({iteration: loss}, {iteration: lr}) of each run (timestamp folder)
    in ``work_dir``, from MMEngine's ``vis_data/scalars.json``."""
    runs = []
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                          'scalars.json'))):
        losses, lrs = {}, {}
        for line in open(path):
            row = json.loads(line)
            if 'loss' in row:
                assert row['iter'] not in losses, 'iteration logged twice'
                losses[row['iter']] = row['loss']
                lrs[row['iter']] = row['lr']
        runs.append((losses, lrs))
    return runs


def _reads(tmp_path, name):
    lines = (tmp_path / f'{name}_reads.txt').read_text().split()
    return [int(i) for i in lines[1::2]]


def _expected_stream(num: int):
    """The first ``num`` indices the config's sampler draws (no data read)."""
    from mmallinone.datasets import ResumableInfiniteSampler
    return list(itertools.islice(
        iter(ResumableInfiniteSampler(range(16), shuffle=True, seed=3)), num))


def _cosine_lr(it: int) -> float:
    """lr logged at iteration ``it`` (1-based) by the config's schedule:
    cosine from 1e-2 at iteration 5 to 0 at iteration 13."""
    return 0.5e-2 * (1 + math.cos(math.pi * (it - 5) / 8))


def test_sigkill_then_resume(tmp_path):
    stream = _expected_stream(MAX_ITERS * BATCH)

    # 1. a run killed with SIGKILL right after checkpoint 8
    work_dir = str(tmp_path / 'run')
    proc = subprocess.Popen(
        _cmd(_config(tmp_path, 'killed', freeze=True), work_dir), cwd=REPO,
        env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 240
    while not (tmp_path / 'frozen').exists():
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            pytest.fail(proc.stdout.read().decode()[-5000:])
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=60) == -signal.SIGKILL
    proc.stdout.close()
    assert open(osp.join(work_dir, 'last_checkpoint')).read().strip() \
        .endswith(f'iter_{FREEZE_AT}.pth')
    assert _reads(tmp_path, 'killed') == stream[:FREEZE_AT * BATCH]

    # 2. --resume (from the work dir's last checkpoint)
    out = _run(_cmd(_config(tmp_path, 'resumed'), work_dir, '--resume'))
    assert f'resumed epoch: 0, iter: {FREEZE_AT}' in out
    assert f'skipped the first {FREEZE_AT * BATCH} samples' in out
    assert f'Iter(train) [{MAX_ITERS}/{MAX_ITERS}]' in out
    assert osp.isfile(osp.join(work_dir, f'iter_{MAX_ITERS}.pth'))

    # every iteration logged exactly once across the two runs
    (killed, killed_lr), (resumed, resumed_lr) = _logs(work_dir)
    assert sorted(killed) == list(range(1, FREEZE_AT + 1))
    assert sorted(resumed) == list(range(FREEZE_AT + 1, MAX_ITERS + 1))
    assert all(math.isfinite(v) for v in {**killed, **resumed}.values())
    # the schedule continues (not restarted at warm-up) after the resume
    for it, lr in {**killed_lr, **resumed_lr}.items():
        if it > 4:
            assert lr == pytest.approx(_cosine_lr(it), rel=1e-4), it
    # the resumed run read exactly the samples after its resume point
    assert _reads(tmp_path, 'resumed') == stream[FREEZE_AT * BATCH:]
