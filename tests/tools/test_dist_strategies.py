"""2-rank gloo DDP equals 1 rank at the same global batch; FlexibleRunner.

Reuses the launcher helpers of ``test_dist_launch.py`` (tools/train.py and
tools/dist_train.sh under torchrun, gloo on CPU).
"""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from test_dist_launch import REPO, TOOLS, TOY_CONFIG, _run

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    torch.cuda.is_available(), reason='CPU (gloo) launch test')]

ITERS = 4
# same data order: rank r of 2 reads rows r, r+2, ... in batches of 2, so the
# two ranks' step-t batches together are the single rank's step-t batch of 4
COMMON = [
    f'train_cfg.max_iters={ITERS}', f'default_hooks.checkpoint.interval='
    f'{ITERS}', 'train_dataloader.sampler.shuffle=False',
    'optim_wrapper.optimizer.lr=0.01', 'randomness.seed=0'
]


def _weights(work_dir: str) -> dict:
    ckpt = torch.load(osp.join(work_dir, f'iter_{ITERS}.pth'),
                      map_location='cpu', weights_only=False)
    return {k.replace('module.', ''): v for k, v in ckpt['state_dict'].items()}


def _strategy_config(tmp_path, strategy: str) -> str:
    path = tmp_path / f'toy_{strategy}.py'
    path.write_text(f"_base_ = [{TOY_CONFIG!r}]\n"
                    f"strategy = dict(type={strategy!r})\n")
    return str(path)


def test_two_rank_ddp_equals_one_rank_same_global_batch(tmp_path):
    # the same starting weights for every run (FlexibleRunner builds the
    # model at another point of the random stream than Runner)
    from toy_components import ToyModel
    torch.manual_seed(0)
    init = str(tmp_path / 'init.pth')
    torch.save(dict(state_dict=ToyModel().state_dict()), init)
    COMMON.append(f'load_from={init}')
    one = str(tmp_path / 'one')
    _run(['python', osp.join(TOOLS, 'train.py'), TOY_CONFIG, '--work-dir', one,
          '--cfg-options', 'train_dataloader.batch_size=4', *COMMON])
    two = str(tmp_path / 'two')
    proc = _run([osp.join(TOOLS, 'dist_train.sh'), TOY_CONFIG, '2',
                 '--work-dir', two, '--cfg-options',
                 'train_dataloader.batch_size=2', *COMMON])
    assert 'Distributed training: True' in proc.stdout
    # the same two ranks through MMEngine's FlexibleRunner + DDPStrategy
    flex = str(tmp_path / 'flex')
    proc = _run([osp.join(TOOLS, 'dist_train.sh'),
                 _strategy_config(tmp_path, 'DDPStrategy'), '2', '--work-dir',
                 flex, '--cfg-options', 'train_dataloader.batch_size=2',
                 *COMMON])
    assert 'DDPStrategy on CPU with gloo' in proc.stdout
    w1, w2, wf = _weights(one), _weights(two), _weights(flex)
    w0 = torch.load(init)['state_dict']
    assert (w1['linear.weight'] - w0['linear.weight']).abs().max() > 1e-3
    for k in w1:
        torch.testing.assert_close(w2[k], w1[k], rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(wf[k], w1[k], rtol=1e-5, atol=1e-6)


def test_strategy_configs_and_cpu_errors():
    from mmallinone.utils.runner import (setup_flexible_runtime,
                                         uses_flexible_runner)
    base = Config.fromfile(
        osp.join(REPO, 'configs/allinone/pretrain_b_webvid_howto.py'))
    assert not uses_flexible_runner(base)
    fsdp = Config.fromfile(
        osp.join(REPO, 'configs/allinone/pretrain_b_webvid_howto_fsdp.py'))
    assert fsdp.strategy.type == 'FSDPStrategy'
    assert fsdp.optim_wrapper.use_fsdp and uses_flexible_runner(fsdp)
    # the recipe is the DDP one: same schedule and data
    assert fsdp.train_cfg == base.train_cfg
    assert fsdp.param_scheduler == base.param_scheduler
    with pytest.raises(RuntimeError, match='FSDPStrategy needs CUDA'):
        setup_flexible_runtime(fsdp, 'pytorch')
    ds = Config.fromfile(osp.join(
        REPO, 'configs/allinone/pretrain_b_webvid_howto_deepspeed.py'))
    assert ds.strategy.type == 'DeepSpeedStrategy'
    assert ds.strategy.gradient_accumulation_steps == \
        base.optim_wrapper.accumulative_counts
    assert ds.optim_wrapper.type == 'DeepSpeedOptimWrapper'
    assert 'accumulative_counts' not in ds.optim_wrapper
    with pytest.raises(RuntimeError, match='deepspeed|CUDA'):
        setup_flexible_runtime(ds, 'pytorch')
