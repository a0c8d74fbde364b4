"""The schedule bases: recipe arithmetic, no-decay groups, LR shape."""
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import PARAM_SCHEDULERS

import mmallinone  # noqa: F401

CFG_DIR = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'configs',
    '_base_')


class _Tiny(nn.Module):

    def __init__(self):
        super().__init__()
        self.cls_token = nn.Parameter(torch.zeros(1, 1, 4))
        self.pos_embed = nn.Parameter(torch.zeros(1, 2, 4))
        self.temporal_embed = nn.Parameter(torch.zeros(1, 3, 4))
        self.token_type_embeddings = nn.Embedding(2, 4)
        self.norm = nn.LayerNorm(4)
        self.fc = nn.Linear(4, 4)


def test_pretrain_200k_recipe_numbers():
    cfg = Config.fromfile(osp.join(CFG_DIR, 'schedules', 'pretrain_200k.py'))
    k = cfg.accumulative_counts
    assert cfg.per_gpu_batch_size * cfg.num_gpus * k == 4096
    assert cfg.optim_wrapper.accumulative_counts == k
    assert cfg.train_cfg.max_iters == 200_000 * k  # micro-iterations
    warmup, decay = cfg.param_scheduler
    assert warmup.end == decay.begin == int(0.1 * cfg.train_cfg.max_iters)
    assert decay.end == cfg.train_cfg.max_iters
    assert decay.end_factor == 0.0
    assert not warmup.by_epoch and not decay.by_epoch
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, tuple(opt.betas), opt.eps,
            opt.weight_decay) == ('AdamW', 1e-4, (0.9, 0.98), 1e-8, 0.01)
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.auto_scale_lr == dict(enable=False, base_batch_size=4096)


@pytest.mark.parametrize('name', ['pretrain_200k.py', 'demo_short.py'])
def test_no_decay_groups_and_linear_schedule(name):
    cfg = Config.fromfile(osp.join(CFG_DIR, 'schedules', name))
    optim_cfg = cfg.optim_wrapper.copy()
    optim_cfg.type = 'OptimWrapper'  # AMP needs CUDA
    optim_cfg.pop('loss_scale', None)
    model = _Tiny()
    wrapper = build_optim_wrapper(model, optim_cfg)
    names = {id(p): n for n, p in model.named_parameters()}
    decay = {
        names[id(p)]
        for g in wrapper.optimizer.param_groups for p in g['params']
        if g['weight_decay'] > 0
    }
    assert decay == {'fc.weight'}

    # the LR shape on a scaled-down run: 10 iterations, 2 of warm-up
    total, warm = 10, 2
    schedulers = []
    for sched in cfg.param_scheduler:
        sched = sched.copy()
        sched.update(
            begin=0 if sched.begin == 0 else warm,
            end=warm if sched.begin == 0 else total)
        schedulers.append(
            PARAM_SCHEDULERS.build(
                sched, default_args=dict(optimizer=wrapper.optimizer)))
    lrs = []
    for _ in range(total):
        lrs.append(wrapper.optimizer.param_groups[0]['lr'])
        for s in schedulers:
            s.step()
    base = cfg.optim_wrapper.optimizer.lr
    assert lrs[0] < 0.05 * base
    assert max(lrs) == pytest.approx(base)
    # MMEngine's LinearLR reaches its end factor at iteration `end - 1`
    assert lrs.index(max(lrs)) == warm - 1
    assert lrs[warm] == pytest.approx(base)
    assert all(a >= b for a, b in zip(lrs[warm:], lrs[warm + 1:]))
    assert lrs[-1] == pytest.approx(0.0)
