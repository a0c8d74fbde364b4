"""Training from shards (subprocesses: marked slow).

- the Ti pre-training config reads shards only over HTTP (a real server on
  127.0.0.1) through tools/train.py;
- a run killed with SIGKILL and ``--resume``d reads exactly the samples of
  an uninterrupted run;
- 2 gloo DDP ranks read disjoint samples that cover the epoch.
"""
import os
import os.path as osp
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from mmallinone.datasets import VideoTextShardDataset
from shard_helpers import make_demo_shards  # noqa: I100  (adds the path)
from range_http_server import RangeHTTPServer  # noqa: I100

pytestmark = pytest.mark.slow

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
HERE = osp.dirname(osp.abspath(__file__))
TOY_CONFIG = osp.join(HERE, 'shard_toy_config.py')
TI_SHARDS = osp.join(REPO, 'configs', 'allinone', 'pretrain_ti_demo_shards.py')


@pytest.fixture(scope='module')
def shards(tmp_path_factory):
    """10 samples (one per demo (video, caption) pair) in 5 shards."""
    out = str(tmp_path_factory.mktemp('shards') / 'demo')
    make_demo_shards(out, '--group-by', 'sample', '--no-check')
    return out


def _env():
    env = dict(os.environ, OMP_NUM_THREADS='1')
    env['PYTHONPATH'] = os.pathsep.join(
        [HERE, osp.join(REPO, 'tests', 'engine'), REPO,
         env.get('PYTHONPATH', '')])
    env['PATH'] = osp.dirname(sys.executable) + os.pathsep + env['PATH']
    env.pop('MMALLINONE_TRUST_CHECKPOINTS', None)
    return env


def _run(cmd, **env) -> str:
    proc = subprocess.run(cmd, cwd=REPO, env=dict(_env(), **env),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=400)
    assert proc.returncode == 0, proc.stdout[-5000:]
    return proc.stdout


def _train(config, work_dir, *options, resume=False):
    cmd = [sys.executable, osp.join(REPO, 'tools', 'train.py'), config,
           '--work-dir', work_dir]
    if resume:
        cmd.append('--resume')
    return cmd + ['--cfg-options', *options]


def _reads(path):
    return [line.split() for line in open(path).read().splitlines()]


def test_ti_pretraining_over_http(shards, tmp_path):
    with RangeHTTPServer(shards) as server:
        out = _run(_train(
            TI_SHARDS, str(tmp_path / 'run'),
            f'train_dataloader.dataset.shards={server.url}/'
            '{00000..00004}.tar',
            f'train_dataloader.dataset.ann_index={tmp_path / "idx"}',
            'train_cfg.max_iters=2', 'train_dataloader.batch_size=2',
            'train_dataloader.num_workers=0',
            'train_dataloader.persistent_workers=False',
            'default_hooks.logger.interval=1',
            'default_hooks.checkpoint.interval=2'))
        requests = dict(server.requests)
    line = re.search(r'Iter\(train\) \[2/2\].*', out).group(0)
    losses = dict(re.findall(r'(loss\w*): (-?[\d.]+)', line))
    assert {'loss', 'loss_vtm', 'loss_mlm'} <= set(losses)
    assert all(abs(float(v)) < 1e4 for v in losses.values())
    assert 'skipped sample' not in out
    # 2 iterations x 2 clips + their false videos: every read went over HTTP
    assert sum(requests.values()) >= 8, requests


def test_sigkill_and_resume_read_the_uninterrupted_samples(shards, tmp_path):
    common = [f'train_dataloader.dataset.shards={shards}/*.tar',
              f'train_dataloader.dataset.ann_index={tmp_path / "idx"}',
              'train_cfg.max_iters=8']
    # the uninterrupted run
    full = str(tmp_path / 'full.txt')
    _run(_train(TOY_CONFIG, str(tmp_path / 'full'), *common,
                f'model.record_file={full}'))
    # a run killed with SIGKILL right after checkpoint 4
    work_dir = str(tmp_path / 'run')
    killed, marker = str(tmp_path / 'killed.txt'), str(tmp_path / 'frozen')
    freezing = tmp_path / 'freezing.py'
    freezing.write_text(
        f'_base_ = [{TOY_CONFIG!r}]\n'
        'custom_imports = dict(imports=["shard_toy_components", '
        '"kill_resume_components"], allow_failed_imports=False)\n'
        'custom_hooks = [dict(type="FreezeAfterIterHook", freeze_at=4, '
        f'marker_file={marker!r})]\n')
    proc = subprocess.Popen(
        _train(str(freezing), work_dir, *common,
               f'model.record_file={killed}'),
        cwd=REPO, env=_env(), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT)
    deadline = time.time() + 300
    while not osp.exists(marker):
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            pytest.fail(proc.stdout.read().decode()[-5000:])
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=60) == -signal.SIGKILL
    proc.stdout.close()
    resumed = str(tmp_path / 'resumed.txt')
    out = _run(_train(TOY_CONFIG, work_dir, *common,
                      f'model.record_file={resumed}', resume=True))
    assert 'skipped the first 4 samples' in out
    expected = [name for _, name in _reads(full)]
    assert len(expected) == 8 and len(set(expected)) > 4
    assert [n for _, n in _reads(killed)] == expected[:4]
    assert [n for _, n in _reads(resumed)] == expected[4:]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_two_ddp_ranks_read_disjoint_samples_covering_the_epoch(
        shards, tmp_path):
    record = str(tmp_path / 'reads.txt')
    out = _run([
        osp.join(REPO, 'tools', 'dist_train.sh'), TOY_CONFIG, '2',
        '--work-dir', str(tmp_path / 'ddp'), '--cfg-options',
        f'train_dataloader.dataset.shards={shards}/*.tar',
        f'train_dataloader.dataset.ann_index={tmp_path / "idx"}',
        f'model.record_file={record}', 'train_cfg.max_iters=5'
    ], PORT=str(_free_port()))
    assert re.search(r'Iter\(train\) \[5/5\]', out)
    reads = _reads(record)
    by_rank = {r: [n for rank, n in reads if rank == r] for r in '01'}
    assert len(by_rank['0']) == len(by_rank['1']) == 5
    assert not set(by_rank['0']) & set(by_rank['1'])
    everything = VideoTextShardDataset(shards=osp.join(shards, '*.tar'),
                                       ann_index=False)
    assert len(everything) == 10
    assert set(by_rank['0']) | set(by_rank['1']) == {
        everything.get_data_info(i)['filename'] for i in range(10)}
    # the shard index was built by rank 0 only (the other rank waited)
    assert len(os.listdir(tmp_path / 'idx')) == 1
