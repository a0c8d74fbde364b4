"""2-process CPU runs through tools/dist_train.sh and tools/dist_test.sh."""
import os
import os.path as osp
import re
import socket
import subprocess
import sys

import pytest
import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOLS = osp.join(REPO, 'tools')
TOY_DIR = osp.dirname(osp.abspath(__file__))
TOY_CONFIG = osp.join(TOY_DIR, 'toy_config.py')
# generous: the B recipe (2 ranks, 224-pixel clips) runs for minutes on a
# loaded 2-core machine, and a timeout here is not a failure of the launch
TIMEOUT = 600

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    torch.cuda.is_available(), reason='CPU (gloo) launch test')]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _run(args, **env_updates) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(
        PORT=str(_free_port()),
        PYTHONPATH=os.pathsep.join(
            [TOY_DIR, REPO, env.get('PYTHONPATH', '')]),
        PATH=osp.dirname(sys.executable) + os.pathsep + env['PATH'],
        **env_updates)
    proc = subprocess.run(
        args,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stdout[-5000:]
    return proc


def _assert_two_gloo_ranks(output: str) -> None:
    for rank in (0, 1):
        assert re.search(
            rf'initialised a gloo process group without CUDA '
            rf'\(rank {rank}, world_size 2\)', output), output[-5000:]
    assert 'Distributed training: True' in output


def test_dist_train_and_test_two_cpu_ranks(tmp_path):
    work_dir = str(tmp_path / 'train')
    proc = _run([
        osp.join(TOOLS, 'dist_train.sh'), TOY_CONFIG, '2', '--work-dir',
        work_dir, '--cfg-options', 'train_cfg.max_iters=2',
        'default_hooks.checkpoint.interval=2'
    ])
    _assert_two_gloo_ranks(proc.stdout)
    assert re.search(r'Iter\(train\) \[2/2\]', proc.stdout)
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        assert f.read().strip().endswith('iter_2.pth')

    # Both ranks hold the same weights after DDP steps, so the checkpoint
    # of rank 0 is the model; test it on 2 ranks and dump the predictions.
    dump = str(tmp_path / 'preds.pkl')
    proc = _run([
        osp.join(TOOLS, 'dist_test.sh'), TOY_CONFIG,
        osp.join(work_dir, 'iter_2.pth'), '2', '--work-dir',
        str(tmp_path / 'test'), '--dump', dump
    ])
    _assert_two_gloo_ranks(proc.stdout)
    assert osp.isfile(dump)
    from mmengine.fileio import load
    preds = load(dump)
    assert len(preds) == 4  # the whole toy test set, gathered from 2 ranks


DEMO_CONFIG = osp.join(REPO, 'configs', 'allinone', 'pretrain_ti_demo.py')


def test_dist_train_demo_config_two_cpu_ranks(tmp_path):
    """The real All-in-One-Ti demo config: 2 gloo ranks, 2 iterations."""
    work_dir = str(tmp_path / 'demo')
    proc = _run([
        osp.join(TOOLS, 'dist_train.sh'), DEMO_CONFIG, '2', '--work-dir',
        work_dir, '--cfg-options', 'train_cfg.max_iters=2',
        'train_dataloader.batch_size=1', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'default_hooks.checkpoint.interval=2', 'default_hooks.logger.interval=1'
    ])
    _assert_two_gloo_ranks(proc.stdout)
    line = re.search(r'Iter\(train\) \[2/2\].*', proc.stdout).group(0)
    for key in ('loss_vtm', 'loss_mlm', 'acc_vtm', 'acc_mlm'):
        assert key in line
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))


B_CONFIG = osp.join(REPO, 'configs', 'allinone', 'pretrain_b_webvid_howto.py')
B_SMOKE = [
    'model.backbone.arch=tiny', 'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False',
    'optim_wrapper.accumulative_counts=1',
    'train_dataloader.dataset.datasets.0.data_root=data/demo/webvid',
    'train_dataloader.dataset.datasets.1.data_root=data/demo/howto100m',
    'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False',
    'test_dataloader.dataset.datasets.0.data_root=data/demo/webvid',
    'test_dataloader.dataset.datasets.1.data_root=data/demo/howto100m',
]


def test_dist_train_and_test_paper_recipe_config(tmp_path):
    """The documented B recipe runs on 2 CPU ranks with a tiny override.

    It reads the demo videos through the real WebVid-CSV and HowTo100M
    loaders, falls back from fp16 AMP to float32 with a warning, and the
    checkpoint evaluates with tools/dist_test.sh (VTM / MLM accuracy).
    """
    work_dir = str(tmp_path / 'b')
    proc = _run([
        osp.join(TOOLS, 'dist_train.sh'), B_CONFIG, '2', '--work-dir',
        work_dir, '--no-validate', '--cfg-options', 'train_cfg.max_iters=2',
        'train_dataloader.batch_size=1', 'default_hooks.logger.interval=1',
        'default_hooks.checkpoint.interval=2', *B_SMOKE
    ])
    _assert_two_gloo_ranks(proc.stdout)
    assert 'falling back to OptimWrapper' in proc.stdout
    line = re.search(r'Iter\(train\) \[2/2\].*', proc.stdout).group(0)
    for key in ('loss_vtm', 'loss_mlm', 'loss_wpa', 'acc_vtm', 'acc_mlm'):
        assert key in line
    ckpt = osp.join(work_dir, 'iter_2.pth')
    assert osp.isfile(ckpt)
    proc = _run([
        osp.join(TOOLS, 'dist_test.sh'), B_CONFIG, ckpt, '2', '--work-dir',
        str(tmp_path / 'test'), '--cfg-options', 'test_dataloader.batch_size=2',
        *B_SMOKE
    ])
    _assert_two_gloo_ranks(proc.stdout)
    metrics = re.search(r'Iter\(test\).*pretrain/vtm_acc: ([\d.]+).*'
                        r'pretrain/mlm_acc: ([\d.]+)', proc.stdout)
    assert metrics, proc.stdout[-3000:]
    assert 0 <= float(metrics.group(1)) <= 100
