"""Resume of iteration-based training by index (README's dependency trap 8).

MMEngine 0.10.7 resumes an ``IterBasedTrainLoop`` by fetching every trained
batch again; ``ResumableIterBasedTrainLoop`` + ``ResumableInfiniteSampler``
must skip them by index: no sample before the resume point is read, and the
resumed run sees the same data (and reaches the same weights) as the
uninterrupted one.
"""
import itertools
import os.path as osp

import mmengine.dataset.sampler as mmengine_sampler
import pytest
import torch
import torch.nn as nn
from mmengine.dataset import InfiniteSampler
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import Dataset

import mmallinone  # noqa: F401  (registers the safe checkpoint loader)
import mmallinone.engine.loops as loops_module
import mmallinone.utils  # noqa: F401
from mmallinone.datasets import ResumableInfiniteSampler
from mmallinone.engine import ResumableIterBasedTrainLoop
from mmallinone.registry import DATA_SAMPLERS, LOOPS

BATCH_SIZE = 2
DATASET_SIZE = 16


class _RecordingDataset(Dataset):
    """Toy dataset that records every index it is asked for."""

    def __init__(self, size: int = DATASET_SIZE) -> None:
        self.size = size
        self.reads = []

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, idx: int) -> dict:
        self.reads.append(int(idx))
        return dict(inputs=torch.full((4, ), float(idx)), idx=int(idx))


class _ToyModel(BaseModel):
    """A linear layer whose loss depends on which samples it sees."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 1)

    def forward(self, inputs, idx=None, data_samples=None, mode='loss'):
        x = torch.stack(inputs) / DATASET_SIZE
        out = self.fc(x)
        if mode == 'loss':
            return dict(loss=((out - 1.0)**2).mean())
        return out


class _RecordBatches(Hook):
    """Record (batch_idx, sample indices) of every training iteration."""

    def __init__(self) -> None:
        self.batches = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.batches.append((batch_idx, list(data_batch['idx'])))


def _make_runner(work_dir, name, sampler, max_iters=4, load_from=None):
    recorder = _RecordBatches()
    runner = Runner(
        model=_ToyModel(),
        work_dir=work_dir,
        experiment_name=name,
        train_dataloader=dict(
            dataset=dict(type=_RecordingDataset),
            sampler=sampler,
            batch_size=BATCH_SIZE,
            num_workers=0,
            collate_fn=dict(type='pseudo_collate')),
        train_cfg=dict(
            type='ResumableIterBasedTrainLoop', max_iters=max_iters),
        optim_wrapper=dict(
            optimizer=dict(type='SGD', lr=0.1), accumulative_counts=2),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=2, by_epoch=False),
            logger=dict(type='LoggerHook', interval=1)),
        custom_hooks=[recorder],
        load_from=load_from,
        resume=load_from is not None,
        default_scope='mmallinone',
        randomness=dict(seed=0),
        log_level='WARNING')
    return runner, recorder


@pytest.fixture
def log_messages(monkeypatch):
    """Messages our loop logs (the original ``print_log`` still runs)."""
    messages = []
    original = loops_module.print_log

    def spy(msg, *args, **kwargs):
        messages.append(msg)
        return original(msg, *args, **kwargs)

    monkeypatch.setattr(loops_module, 'print_log', spy)
    return messages


def _interrupted_and_resumed(tmp_path, sampler, tag):
    full_dir = str(tmp_path / 'full')
    runner, full_rec = _make_runner(full_dir, f'full_{tag}', sampler)
    runner.train()
    # The runner builds its own dataset (the one that recorded the reads).
    full_data = runner.train_loop.dataloader.dataset
    full_weights = {k: v.clone() for k, v in runner.model.state_dict().items()}
    assert [b for b, _ in full_rec.batches] == [0, 1, 2, 3]
    ckpt = osp.join(full_dir, 'iter_2.pth')
    assert osp.isfile(ckpt)

    runner, res_rec = _make_runner(
        str(tmp_path / 'resumed'), f'resumed_{tag}', sampler, load_from=ckpt)
    runner.train()
    res_data = runner.train_loop.dataloader.dataset
    return (full_data, full_rec, full_weights, res_data, res_rec,
            runner.model.state_dict())


def test_resume_reads_no_skipped_sample(tmp_path, log_messages):
    sampler = dict(type='ResumableInfiniteSampler', shuffle=True, seed=7)
    (full_data, full_rec, full_weights, res_data, res_rec,
     res_weights) = _interrupted_and_resumed(tmp_path, sampler, 'index')

    trained = [i for _, idx in full_rec.batches[:2] for i in idx]
    after = [i for _, idx in full_rec.batches[2:] for i in idx]
    # Sanity of the uninterrupted run: it read exactly its 4 batches.
    assert full_data.reads == trained + after
    # The resumed run reads nothing before the resume point, and only the
    # samples of iterations 3-4 of the uninterrupted run.
    assert not set(res_data.reads) & set(trained)
    assert res_data.reads == after
    # It continues at iteration 2 (batch_idx 2, 3) with the same batches.
    assert res_rec.batches == full_rec.batches[2:]
    # Same data + accumulation over 2 micro-iterations -> same weights.
    for key, value in full_weights.items():
        torch.testing.assert_close(res_weights[key], value)
    assert any('skipped the first 4 samples' in m for m in log_messages)


def test_fallback_warns_and_fetches(tmp_path, log_messages):
    sampler = dict(type='InfiniteSampler', shuffle=True, seed=7)
    (full_data, full_rec, full_weights, res_data, res_rec,
     res_weights) = _interrupted_and_resumed(tmp_path, sampler, 'fetch')

    trained = [i for _, idx in full_rec.batches[:2] for i in idx]
    after = [i for _, idx in full_rec.batches[2:] for i in idx]
    # MMEngine's behaviour: the trained batches are loaded again.
    assert res_data.reads == trained + after
    assert res_rec.batches == full_rec.batches[2:]
    assert any('falling back to MMEngine' in m for m in log_messages)
    assert not any('skipped the first' in m for m in log_messages)


def test_registered():
    assert LOOPS.get('ResumableIterBasedTrainLoop') is \
        ResumableIterBasedTrainLoop
    assert DATA_SAMPLERS.get('ResumableInfiniteSampler') is \
        ResumableInfiniteSampler
    assert issubclass(ResumableInfiniteSampler, InfiniteSampler)


class _Forbidden:
    """A dataset whose items must never be touched."""

    def __len__(self) -> int:
        return 7

    def __getitem__(self, idx):
        raise AssertionError('the sampler read data')


@pytest.mark.parametrize('shuffle', [True, False])
@pytest.mark.parametrize('skip', [0, 1, 3, 7, 10, 23])
def test_sampler_skip_equals_dropping(monkeypatch, shuffle, skip):
    world_size, take = 2, 30
    per_rank = []
    for rank in range(world_size):
        monkeypatch.setattr(
            mmengine_sampler, 'get_dist_info', lambda r=rank: (r, world_size))
        reference = InfiniteSampler(_Forbidden(), shuffle=shuffle, seed=5)
        assert reference.rank == rank
        expected = list(itertools.islice(iter(reference), skip + take + 1))
        per_rank.append(expected)

        sampler = ResumableInfiniteSampler(
            _Forbidden(), shuffle=shuffle, seed=5)
        # Unskipped, it is MMEngine's stream.
        assert list(itertools.islice(iter(sampler),
                                     skip + take + 1)) == expected
        # Skip is absolute: what was already consumed does not matter.
        sampler.skip(skip)
        assert sampler.num_skipped == skip
        assert list(itertools.islice(iter(sampler),
                                     take)) == expected[skip:skip + take]
        # A fresh iterator (as a new dataloader iterator makes) continues.
        assert next(iter(sampler)) == expected[skip + take]
    # The two ranks split one stream: neither gets the other's samples.
    if shuffle:
        epoch = per_rank[0][:3] + per_rank[1][:3]
        assert len(set(epoch)) == 6


def test_sampler_skip_rejects_negative():
    sampler = ResumableInfiniteSampler(range(4), seed=0)
    with pytest.raises(ValueError):
        sampler.skip(-1)
