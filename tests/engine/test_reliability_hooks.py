"""Atomic checkpoints and non-finite loss handling (issue 8, reliability)."""
import os
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapper
from mmengine.runner import Runner
from torch.utils.data import Dataset

import mmallinone  # noqa: F401
import mmallinone.utils  # noqa: F401
from mmallinone.engine import (AtomicCheckpointHook, FiniteCheckOptimWrapper,
                               FiniteLossCheckMixin, NonFiniteLossHook)


class _Dataset(Dataset):

    def __len__(self) -> int:
        return 8

    def __getitem__(self, idx: int) -> dict:
        return dict(inputs=torch.full((4, ), float(idx)), idx=int(idx))


class _Model(BaseModel):
    """Linear model; the loss is NaN at the iterations in ``nan_iters``."""

    def __init__(self, nan_iters=()) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 1)
        self.nan_iters = set(nan_iters)
        self.calls = 0

    def forward(self, inputs, idx=None, data_samples=None, mode='loss'):
        out = self.fc(torch.stack(inputs) / 8)
        loss = ((out - 1.0)**2).mean()
        if self.calls in self.nan_iters:
            loss = loss * float('nan')
        self.calls += 1
        return dict(loss=loss)


def _runner(work_dir, name, max_iters=4, model=None, optim_type='OptimWrapper',
            custom_hooks=None, resume=False, interval=2):
    return Runner(
        model=model or _Model(),
        work_dir=work_dir,
        experiment_name=name,
        train_dataloader=dict(
            dataset=dict(type=_Dataset),
            sampler=dict(type='DefaultSampler', shuffle=False),
            batch_size=2,
            num_workers=0),
        optim_wrapper=dict(
            type=optim_type, optimizer=dict(type='SGD', lr=0.1)),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        default_hooks=dict(
            checkpoint=dict(
                type='AtomicCheckpointHook',
                interval=interval,
                by_epoch=False,
                max_keep_ckpts=1),
            logger=dict(type='LoggerHook', interval=1)),
        custom_hooks=custom_hooks,
        resume=resume,
        default_scope='mmallinone',
        log_level='WARNING')


def _read_last(work_dir):
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return f.read().strip()


def test_checkpoints_are_saved_and_resume(tmp_path):
    work_dir = str(tmp_path)
    runner = _runner(work_dir, 'first', max_iters=4)
    assert isinstance(runner._hooks[-1], AtomicCheckpointHook) or any(
        isinstance(h, AtomicCheckpointHook) for h in runner._hooks)
    runner.train()
    # max_keep_ckpts=1: only the latest remains, no temporary file.
    assert sorted(os.listdir(work_dir)).count('iter_4.pth') == 1
    assert not osp.exists(osp.join(work_dir, 'iter_2.pth'))
    assert not [n for n in os.listdir(work_dir) if n.startswith('.tmp-')]
    assert _read_last(work_dir) == osp.join(work_dir, 'iter_4.pth')
    ckpt = torch.load(osp.join(work_dir, 'iter_4.pth'), weights_only=False)
    assert ckpt['meta']['iter'] == 4

    resumed = _runner(work_dir, 'second', max_iters=6, resume=True)
    resumed.train()
    assert resumed.iter == 6
    assert _read_last(work_dir) == osp.join(work_dir, 'iter_6.pth')


def test_interrupted_save_keeps_previous_checkpoint(tmp_path, monkeypatch):
    work_dir = str(tmp_path)
    runner = _runner(work_dir, 'crash', max_iters=4)
    real_save = torch.save

    def partial_save(obj, f, *args, **kwargs):
        # Iteration 4's save: write some bytes, then die.
        if runner.iter + 1 == 4:
            f.write(b'PK\x03\x04 truncated')
            raise KeyboardInterrupt('killed during the save')
        return real_save(obj, f, *args, **kwargs)

    monkeypatch.setattr(torch, 'save', partial_save)
    with pytest.raises(KeyboardInterrupt):
        runner.train()
    monkeypatch.setattr(torch, 'save', real_save)

    names = os.listdir(work_dir)
    assert 'iter_4.pth' not in names
    assert not [n for n in names if n.startswith('.tmp-')]
    # The previous checkpoint survives although max_keep_ckpts=1.
    assert _read_last(work_dir) == osp.join(work_dir, 'iter_2.pth')
    ckpt = torch.load(osp.join(work_dir, 'iter_2.pth'), weights_only=False)
    assert ckpt['meta']['iter'] == 2

    resumed = _runner(work_dir, 'resumed', max_iters=4, resume=True)
    resumed.train()
    assert resumed.iter == 4
    assert _read_last(work_dir) == osp.join(work_dir, 'iter_4.pth')


def test_leftover_temporary_file_is_removed(tmp_path):
    work_dir = str(tmp_path)
    stale = osp.join(work_dir, '.tmp-123-iter_9.pth')
    with open(stale, 'wb') as f:
        f.write(b'half')
    _runner(work_dir, 'clean', max_iters=2).train()
    assert not osp.exists(stale)
    assert _read_last(work_dir) == osp.join(work_dir, 'iter_2.pth')


def _weights(runner):
    return runner.model.fc.weight.detach().clone()


class _Snapshot(NonFiniteLossHook):
    """Also snapshot the weights before each iteration."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.before = {}
        self.after = {}

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        super().before_train_iter(runner, batch_idx, data_batch)
        self.before[runner.iter] = _weights(runner)

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.after[runner.iter] = _weights(runner)


def test_non_finite_loss_skip(tmp_path):
    hook = _Snapshot(action='skip')
    runner = _runner(
        str(tmp_path), 'skip', max_iters=4, model=_Model(nan_iters={1}),
        optim_type='FiniteCheckOptimWrapper', custom_hooks=[hook],
        interval=100)
    runner.train()
    assert runner.iter == 4
    assert runner.optim_wrapper.skipped_steps == 1
    assert torch.equal(hook.before[1], hook.after[1])  # skipped step
    assert not torch.equal(hook.before[2], hook.after[2])  # next one steps
    assert torch.isfinite(runner.model.fc.weight).all()


def test_non_finite_loss_stop(tmp_path):
    runner = _runner(
        str(tmp_path), 'stop', max_iters=4, model=_Model(nan_iters={2}),
        optim_type='FiniteCheckOptimWrapper',
        custom_hooks=[dict(type='NonFiniteLossHook', action='stop')],
        interval=100)
    # the third batch (samples 4, 5), logged as `Iter(train) [3/4]`
    with pytest.raises(RuntimeError, match=r'iteration 3;.*\[4, 5\]'):
        runner.train()


def test_hook_guards_a_plain_optim_wrapper(tmp_path):
    hook = _Snapshot(action='skip')
    runner = _runner(
        str(tmp_path), 'plain', max_iters=3, model=_Model(nan_iters={1}),
        custom_hooks=[hook], interval=100)
    runner.train()
    assert isinstance(runner.optim_wrapper, FiniteLossCheckMixin)
    assert isinstance(runner.optim_wrapper, OptimWrapper)
    assert runner.optim_wrapper.skipped_steps == 1
    assert torch.equal(hook.before[1], hook.after[1])


def test_consecutive_skips_are_bounded(tmp_path):
    runner = _runner(
        str(tmp_path), 'bounded', max_iters=8,
        model=_Model(nan_iters={1, 3, 4, 5}), interval=100,
        custom_hooks=[dict(type='NonFiniteLossHook', action='skip',
                           max_consecutive_skips=2)])
    # iteration 2 is a lone skip; 4, 5 are two in a row; 6 is one too many
    with pytest.raises(RuntimeError, match=r'iteration 6;.*3 consecutive'):
        runner.train()
    assert runner.optim_wrapper.skipped_steps == 4


class _NaNWeights(_Model):
    """Finite loss, but the weights turn NaN after the second step."""

    def forward(self, inputs, idx=None, data_samples=None, mode='loss'):
        out = super().forward(inputs, idx, data_samples, mode)
        if self.calls == 3:
            with torch.no_grad():
                self.fc.weight.fill_(float('nan'))
            out['loss'] = self.fc.bias.sum() * 0
        return out


def test_non_finite_weights_are_never_saved(tmp_path):
    work_dir = str(tmp_path)
    runner = _runner(work_dir, 'nanw', max_iters=4, model=_NaNWeights(),
                     interval=2)
    with pytest.raises(RuntimeError, match=r'iteration 4.*fc\.weight.*'
                       r'iter_2\.pth'):
        runner.train()
    assert not osp.exists(osp.join(work_dir, 'iter_4.pth'))
    assert _read_last(work_dir) == osp.join(work_dir, 'iter_2.pth')
    assert not [n for n in os.listdir(work_dir) if n.startswith('.tmp-')]


def test_wrapper_without_hook_stops_by_default():
    fc = nn.Linear(2, 1)
    wrapper = FiniteCheckOptimWrapper(
        optimizer=torch.optim.SGD(fc.parameters(), lr=0.1))
    assert not isinstance(wrapper, type(None)) and isinstance(
        wrapper, OptimWrapper)
    with pytest.raises(RuntimeError, match='unknown iteration'):
        wrapper.update_params(fc(torch.ones(1, 2)).sum() * float('inf'))
    with pytest.raises(ValueError, match='skip'):
        NonFiniteLossHook(action='ignore')
