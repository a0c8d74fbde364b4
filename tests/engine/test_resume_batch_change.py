"""Resume with another batch size or world size (issue 16, item 6): the
checkpoint holds the number of samples all ranks consumed; the resumed run
skips exactly those (not ``iter x new batch size``) and logs the change."""
import itertools
import os.path as osp

import torch
import torch.nn as nn
from mmengine.logging import MMLogger
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import Dataset

import mmallinone  # noqa: F401
import mmallinone.utils  # noqa: F401
from mmallinone.datasets import ResumableInfiniteSampler

SIZE = 16
SEED = 3


class _Reads(Dataset):

    def __init__(self) -> None:
        self.reads = []

    def __len__(self) -> int:
        return SIZE

    def __getitem__(self, idx: int) -> dict:
        self.reads.append(int(idx))
        return dict(inputs=torch.full((4, ), float(idx)), idx=int(idx))


class _Model(BaseModel):

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 1)

    def forward(self, inputs, idx=None, data_samples=None, mode='loss'):
        return dict(loss=self.fc(torch.stack(inputs) / SIZE).pow(2).mean())


def _runner(work_dir, name, batch_size, max_iters, resume=False) -> Runner:
    return Runner(
        model=_Model(), work_dir=work_dir, experiment_name=name,
        train_dataloader=dict(
            dataset=dict(type=_Reads),
            sampler=dict(type='ResumableInfiniteSampler', seed=SEED),
            batch_size=batch_size, num_workers=0,
            collate_fn=dict(type='pseudo_collate')),
        train_cfg=dict(type='ResumableIterBasedTrainLoop',
                       max_iters=max_iters),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        default_hooks=dict(checkpoint=dict(
            type='CheckpointHook', interval=max_iters, by_epoch=False)),
        resume=resume, default_scope='mmallinone', randomness=dict(seed=0),
        log_level='INFO')


def _stream(n: int):
    return [int(i) for i in itertools.islice(
        iter(ResumableInfiniteSampler(range(SIZE), seed=SEED)), n)]


def test_resume_with_a_larger_batch_skips_the_trained_samples(tmp_path):
    work_dir = str(tmp_path)
    first = _runner(work_dir, 'b2', batch_size=2, max_iters=9)
    first.train()  # 9 x 2 = 18 samples
    assert first.train_loop.dataloader.dataset.reads == _stream(18)
    ckpt9 = torch.load(osp.join(work_dir, 'iter_9.pth'), weights_only=False)

    resumed = _runner(work_dir, 'b4', batch_size=4, max_iters=12,
                      resume=True)
    resumed.train()  # 3 more iterations x 4
    # before the fix: iter 9 x new batch 4 = 36 samples were skipped
    assert resumed.train_loop.dataloader.dataset.reads == \
        _stream(18 + 12)[18:]
    assert ckpt9['message_hub']['runtime_info'][
        'train_samples_consumed'] == dict(samples=18, batch_size=2,
                                          world_size=1)
    log = open(MMLogger.get_current_instance().log_file).read()
    assert 'different batch size per rank 2 -> 4' in log
    assert 'skipped the first 18 samples' in log
    ckpt = torch.load(osp.join(work_dir, 'iter_12.pth'), weights_only=False)
    assert ckpt['message_hub']['runtime_info'][
        'train_samples_consumed']['samples'] == 30


def test_skip_global_with_another_world_size():
    """Two ranks resuming after 18 samples consumed by one rank (or by
    three): together they continue the global stream at element 18."""
    stream = _stream(40)
    parts = []
    for rank in range(2):
        sampler = ResumableInfiniteSampler(range(SIZE), seed=SEED)
        sampler.rank, sampler.world_size = rank, 2
        sampler.skip_global(18)
        parts.append(list(itertools.islice(iter(sampler), 11)))
    merged = [int(i) for pair in zip(*parts) for i in pair]
    assert merged == stream[18:40]
    assert [i.position for i in parts[1][:3]] == [19, 21, 23]
