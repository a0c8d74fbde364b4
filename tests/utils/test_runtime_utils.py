"""Unit tests of mmallinone.utils that need no Runner (the checkpoint
loader's are in tests/checkpoint/test_loading.py)."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmallinone.utils import setup_runtime
from mmallinone.utils import dist as dist_utils


def test_invalid_launcher():
    with pytest.raises(ValueError, match='launcher'):
        setup_runtime(Config(dict()), 'torchrun')


def test_cpu_launcher_config_rewrite(monkeypatch):
    """Without CUDA: gloo, device_ids=None, custom wrapper kept, no AMP."""
    calls = []
    monkeypatch.setattr(dist_utils, 'cuda_available', lambda: False)
    monkeypatch.setattr(dist_utils, 'init_cpu_dist',
                        lambda launcher, **kw: calls.append((launcher, kw)))
    cfg = Config(
        dict(
            env_cfg=dict(dist_cfg=dict(backend='nccl', timeout=60)),
            model_wrapper_cfg=dict(
                type='MMDistributedDataParallel',
                find_unused_parameters=True),
            optim_wrapper=dict(
                type='AmpOptimWrapper',
                loss_scale=512.,
                optimizer=dict(type='AdamW', lr=1e-4))))
    setup_runtime(cfg, 'slurm')
    assert calls == [('slurm', dict(backend='gloo', timeout=60))]
    assert cfg.model_wrapper_cfg.device_ids is None
    assert cfg.model_wrapper_cfg.find_unused_parameters is True
    assert cfg.optim_wrapper.type == 'OptimWrapper'
    assert 'loss_scale' not in cfg.optim_wrapper


def test_no_cuda_set_device_is_scoped():
    original = torch.cuda.set_device
    with dist_utils._no_cuda_set_device():
        assert torch.cuda.set_device is not original
        torch.cuda.set_device(3)  # no-op, does not raise
    assert torch.cuda.set_device is original
    assert osp.basename(dist_utils.__file__) == 'dist.py'


def test_destroy_dist_tears_the_group_down(tmp_path):
    """tools/train.py / test.py end with destroy_dist: a gloo group left to
    the interpreter's exit can abort a rank after the work is done."""
    import torch.distributed as torch_dist

    from mmallinone.utils import destroy_dist
    destroy_dist()  # nothing initialised: a no-op
    torch_dist.init_process_group(
        'gloo', init_method=f'file://{tmp_path}/store', rank=0, world_size=1)
    assert torch_dist.is_initialized()
    destroy_dist()
    assert not torch_dist.is_initialized()
