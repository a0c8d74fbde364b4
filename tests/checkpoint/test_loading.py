"""Checkpoint loading and trust: MMEngine's own checkpoints load
weights-only under an allow-list; anything else needs an explicit trust
flag, never a file beside it. A malicious pickle runs no code on any loading
path (the subprocess paths are in
``tests/tools/test_malicious_checkpoint.py``)."""
import os.path as osp
import pickle
import sys

import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader, Runner

import mmallinone  # noqa: F401  (registers the safe checkpoint loader)
from mmallinone.checkpoint import (TRUST_ENV_VAR, UntrustedCheckpointError,
                                   is_trusted_checkpoint, load_from_local_safe,
                                   trusted_checkpoints)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tests', 'tools'))
from toy_components import toy_runner_cfg  # noqa: E402


class _Evil:
    """Unpickling it creates ``marker`` (stands for arbitrary code)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, 'w'))


def save_evil_checkpoint(path: str, marker: str) -> None:
    """A checkpoint-looking file whose unpickling creates ``marker``."""
    torch.save({'state_dict': {'w': torch.ones(1)}, 'meta': _Evil(marker)},
               path)


def _resumable_cfg(work_dir: str, max_iters: int, **kwargs) -> dict:
    """Toy run with an optimizer, param schedulers, the message hub and the
    resumable sampler / loop, checkpointed atomically every iteration."""
    cfg = toy_runner_cfg(work_dir, max_iters=max_iters, **kwargs)
    cfg['train_dataloader']['sampler'] = dict(
        type='ResumableInfiniteSampler', shuffle=True, seed=3)
    cfg['train_cfg'] = dict(
        type='ResumableIterBasedTrainLoop', max_iters=max_iters)
    cfg['param_scheduler'] = [
        dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
             end=2),
        dict(type='CosineAnnealingLR', by_epoch=False, begin=2, end=8)
    ]
    cfg['default_hooks']['checkpoint'] = dict(
        type='AtomicCheckpointHook', interval=1, by_epoch=False,
        max_keep_ckpts=2)
    return cfg


def test_resume_checkpoint_loads_weights_only_with_allow_list(
        tmp_path, monkeypatch):
    monkeypatch.delenv(TRUST_ENV_VAR, raising=False)
    work_dir = str(tmp_path / 'run')
    Runner(**_resumable_cfg(work_dir, 3, experiment_name='save')).train()
    path = osp.join(work_dir, 'iter_3.pth')
    # Plain weights-only loading refuses it (HistoryBuffer, numpy) ...
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)
    # ... ours loads it without any trust, even away from its work dir.
    moved = tmp_path / 'elsewhere'
    moved.mkdir()
    moved_path = str(moved / 'iter_3.pth')
    with open(path, 'rb') as src, open(moved_path, 'wb') as dst:
        dst.write(src.read())
    ckpt = load_from_local_safe(moved_path, map_location='cpu')
    assert isinstance(ckpt['message_hub']['log_scalars']['train/loss'],
                      HistoryBuffer)
    assert ckpt['message_hub']['log_scalars']['train/loss'].mean() > 0
    assert len(ckpt['param_schedulers']) == 2
    assert ckpt['optimizer']['state']
    # and a Runner resumes from it (optimizer, schedulers, message hub,
    # sampler position), then trains on.
    runner = Runner(**_resumable_cfg(
        str(tmp_path / 'resumed'), 5, resume=True, load_from=moved_path,
        experiment_name='resume'))
    runner.load_or_resume()
    assert runner.iter == 3
    # the message hub's loss history of the 3 trained iterations came back
    assert len(runner.message_hub.get_scalar('train/loss').data[0]) == 3
    assert runner.optim_wrapper.optimizer.state_dict()['state']
    assert runner.param_schedulers[1].last_step == 1
    runner.train()
    assert runner.iter == 5


def test_last_checkpoint_beside_a_malicious_file_grants_no_trust(
        tmp_path, monkeypatch):
    monkeypatch.delenv(TRUST_ENV_VAR, raising=False)
    marker = tmp_path / 'pwned'
    path = str(tmp_path / 'iter_1.pth')
    save_evil_checkpoint(path, str(marker))
    (tmp_path / 'last_checkpoint').write_text(path)
    with pytest.raises(UntrustedCheckpointError, match='--trust-checkpoint'):
        CheckpointLoader.load_checkpoint(path, map_location='cpu')
    assert not marker.exists()


def test_only_history_buffer_methods_may_be_getattr(tmp_path, monkeypatch):
    """The allow-listed getattr cannot reach anything else."""
    monkeypatch.delenv(TRUST_ENV_VAR, raising=False)

    class Reach:

        def __reduce__(self):
            return (getattr, (HistoryBuffer, '__init__'))

    path = str(tmp_path / 'reach.pth')
    torch.save({'x': Reach()}, path)
    with pytest.raises(UntrustedCheckpointError):
        load_from_local_safe(path, map_location='cpu')


def test_explicit_trust_loads_a_full_pickle(tmp_path, monkeypatch):
    monkeypatch.delenv(TRUST_ENV_VAR, raising=False)
    path = str(tmp_path / 'full.pth')
    torch.save({'state_dict': {}, 'extra': pytest.approx(1.0)}, path)
    with pytest.raises(UntrustedCheckpointError):
        load_from_local_safe(path)
    with trusted_checkpoints():
        assert 'extra' in load_from_local_safe(path)
    with pytest.raises(UntrustedCheckpointError):  # trust ends with block
        load_from_local_safe(path)


def test_local_scheme_is_ours():
    assert CheckpointLoader._get_checkpoint_loader(
        '/some/file.pth') is load_from_local_safe
    # other schemes are untouched
    assert CheckpointLoader._get_checkpoint_loader(
        'https://x/y.pth') is not load_from_local_safe


@pytest.mark.parametrize('value,trusted', [('1', True), ('true', True),
                                           ('0', False), ('', False)])
def test_trust_env_var(tmp_path, monkeypatch, value, trusted):
    monkeypatch.setenv(TRUST_ENV_VAR, value)
    assert is_trusted_checkpoint(str(tmp_path / 'a.pth')) is trusted


def test_work_dir_marker_grants_no_trust(tmp_path, monkeypatch):
    monkeypatch.delenv(TRUST_ENV_VAR, raising=False)
    path = str(tmp_path / 'iter_1.pth')
    assert not is_trusted_checkpoint(path)
    (tmp_path / 'last_checkpoint').write_text(path)
    assert not is_trusted_checkpoint(path)


def test_missing_file():
    with pytest.raises(FileNotFoundError):
        load_from_local_safe('/nonexistent/ckpt.pth')
