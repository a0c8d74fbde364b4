"""CoTrainingIterBasedTrainLoop: one batch of every source per step, loaders
cycled independently, every loader's position saved in the checkpoint and
restored by index on resume (no trained sample read again)."""
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import Dataset

import mmallinone  # noqa: F401  (registers the safe checkpoint loader)
import mmallinone.engine.cotraining_loop as loop_module
import mmallinone.utils  # noqa: F401
from mmallinone.engine import CoTrainingIterBasedTrainLoop
from mmallinone.engine.cotraining_loop import POSITIONS_KEY
from mmallinone.registry import LOOPS


class _RecordingDataset(Dataset):
    """Toy dataset recording every index read; values encode the source."""

    def __init__(self, size: int, offset: float) -> None:
        self.size, self.offset = size, offset
        self.reads = []

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, idx: int) -> dict:
        self.reads.append(int(idx))
        return dict(inputs=torch.full((4, ), self.offset + idx), idx=int(idx))


class _ToyModel(BaseModel):
    """Sums a loss per source; its weights depend on the data seen."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 1)

    def forward(self, mode='loss', **sources):
        assert set(sources) == {'video', 'image'}, set(sources)
        losses = {}
        for name, batch in sources.items():
            out = self.fc(torch.stack(batch['inputs']) / 200)
            losses[f'{name}/loss'] = ((out - 1.0)**2).mean()
        return losses


class _RecordBatches(Hook):

    def __init__(self) -> None:
        self.batches = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.batches.append((batch_idx, {
            k: list(v['idx'])
            for k, v in data_batch.items()
        }))


def _loader(size, offset, batch_size, sampler='ResumableInfiniteSampler'):
    return dict(
        dataset=dict(type=_RecordingDataset, size=size, offset=offset),
        sampler=dict(type=sampler, shuffle=True),
        batch_size=batch_size,
        num_workers=0,
        collate_fn=dict(type='pseudo_collate'))


def _runner(work_dir,
            name,
            max_iters,
            image_batch=3,
            load_from=None,
            image_sampler='ResumableInfiniteSampler'):
    recorder = _RecordBatches()
    runner = Runner(
        model=_ToyModel(),
        work_dir=work_dir,
        experiment_name=name,
        train_dataloader=_loader(5, 0., 2),  # video: 5 samples, batch 2
        train_cfg=dict(
            type='CoTrainingIterBasedTrainLoop',
            max_iters=max_iters,
            other_loaders=dict(
                image=_loader(7, 100., image_batch, image_sampler))),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=3, by_epoch=False),
            logger=dict(type='LoggerHook', interval=1)),
        custom_hooks=[recorder],
        log_processor=dict(by_epoch=False),
        load_from=load_from,
        resume=load_from is not None,
        default_scope='mmallinone',
        randomness=dict(seed=0),
        log_level='INFO')
    return runner, recorder


def _datasets(runner):
    loop = runner.train_loop
    return (loop.loaders['video'].dataset, loop.loaders['image'].dataset)


@pytest.fixture
def messages(monkeypatch):
    """Messages the loop logs (the original ``print_log`` still runs)."""
    records = []
    original = loop_module.print_log

    def spy(msg, *args, **kwargs):
        records.append(msg)
        return original(msg, *args, **kwargs)

    monkeypatch.setattr(loop_module, 'print_log', spy)
    return records


def test_cycles_loaders_independently_and_resumes_by_index(tmp_path, messages):
    full, full_rec = _runner(str(tmp_path / 'full'), 'full', 6)
    full.train()
    video, image = _datasets(full)
    # one batch of each source per iteration, beyond the shorter loader's
    # length (video: 5 samples, 12 drawn; image: 7 samples, 18 drawn)
    assert [b for b, _ in full_rec.batches] == list(range(6))
    assert all(
        len(s['video']) == 2 and len(s['image']) == 3
        for _, s in full_rec.batches)
    assert len(video.reads) == 12 and len(image.reads) == 18
    assert sorted(video.reads[:5]) == list(range(5))  # whole epochs
    assert sorted(image.reads[7:14]) == list(range(7))
    assert all(i < 7 for i in image.reads)
    weights = {k: v.clone() for k, v in full.model.state_dict().items()}
    ckpt = osp.join(str(tmp_path / 'full'), 'iter_3.pth')
    saved = torch.load(ckpt, map_location='cpu', weights_only=False)
    assert saved['message_hub']['runtime_info'][POSITIONS_KEY] == dict(
        video=6, image=9)
    assert any('video: _RecordingDataset (5 samples, batch 2' in m
               and 'image: _RecordingDataset (7 samples, batch 3' in m
               for m in messages)

    resumed, res_rec = _runner(str(tmp_path / 'res'), 'res', 6, load_from=ckpt)
    resumed.train()
    r_video, r_image = _datasets(resumed)
    # nothing before the resume point is read again, in either source
    assert r_video.reads == video.reads[6:]
    assert r_image.reads == image.reads[9:]
    assert res_rec.batches == full_rec.batches[3:]
    for key, value in weights.items():
        torch.testing.assert_close(resumed.model.state_dict()[key], value)
    assert any("Resuming source 'image' at iteration 3: skipped its first "
               '9 samples' in m for m in messages)


def test_resume_with_another_batch_size_uses_saved_position(tmp_path):
    full, full_rec = _runner(str(tmp_path / 'full'), 'full', 3)
    full.train()
    _, image = _datasets(full)
    # continue with image batch 2: starts at sample 9 of the same stream
    resumed, res_rec = _runner(
        str(tmp_path / 'res'),
        'res',
        4,
        image_batch=2,
        load_from=osp.join(str(tmp_path / 'full'), 'iter_3.pth'))
    resumed.train()
    _, r_image = _datasets(resumed)
    # the uninterrupted index stream (2 epochs of shuffled 7 samples)
    g = torch.Generator().manual_seed(resumed.seed)
    stream = torch.randperm(
        7, generator=g).tolist() + torch.randperm(
            7, generator=g).tolist()
    assert image.reads == stream[:9]
    assert r_image.reads == stream[9:11]
    assert res_rec.batches[0][1]['image'] == stream[9:11]


def test_fallback_without_resumable_sampler_warns_and_fetches(
        tmp_path, messages):
    full, full_rec = _runner(
        str(tmp_path / 'full'), 'full', 3, image_sampler='InfiniteSampler')
    full.train()
    _, image = _datasets(full)
    resumed, res_rec = _runner(
        str(tmp_path / 'res'),
        'res',
        4,
        image_sampler='InfiniteSampler',
        load_from=osp.join(str(tmp_path / 'full'), 'iter_3.pth'))
    resumed.train()
    r_video, r_image = _datasets(resumed)
    assert r_image.reads[:9] == image.reads  # trained batches reloaded
    assert [b for b, _ in res_rec.batches] == [3]
    assert any('by loading and discarding them' in m for m in messages)
    assert len(r_video.reads) == 2  # video still skipped by index


def test_config_errors_and_registry():
    assert LOOPS.get('CoTrainingIterBasedTrainLoop') is \
        CoTrainingIterBasedTrainLoop
    with pytest.raises(ValueError, match='non-empty dict'):
        CoTrainingIterBasedTrainLoop(
            _FakeRunner(), _FakeLoader(), 2, other_loaders={})
    with pytest.raises(ValueError, match='unique'):
        CoTrainingIterBasedTrainLoop(
            _FakeRunner(),
            _FakeLoader(),
            2,
            other_loaders=dict(video=_FakeLoader()))


class _FakeLoader(list):
    dataset = [0]


class _FakeRunner:
    _randomness_cfg = {}
    seed = 0

    class visualizer:  # noqa: N801
        dataset_meta = None


def test_single_source_preprocessor_is_refused(tmp_path):
    from mmallinone.models import VideoTextDataPreprocessor

    class _Model(_ToyModel):

        def __init__(self):
            super().__init__()
            self.data_preprocessor = VideoTextDataPreprocessor()

    runner, _ = _runner(str(tmp_path), 'pre', 1)
    runner.model = _Model()
    with pytest.raises(TypeError, match='MultiSourceDataPreprocessor'):
        CoTrainingIterBasedTrainLoop(
            runner,
            runner._train_dataloader,
            1,
            other_loaders=dict(image=_loader(7, 100., 3)))


def test_non_finite_loss_hook_names_samples_of_every_source():
    from mmaction.structures import ActionDataSample

    from mmallinone.engine.hooks.non_finite_loss_hook import batch_sample_ids

    def batch(*ids):
        return dict(
            inputs=[None] * len(ids),
            data_samples=[
                ActionDataSample(metainfo=dict(sample_idx=i, video_id=v))
                for i, v in ids
            ])

    ids = batch_sample_ids(
        dict(video=batch((0, 'a'), (4, 'b')), image=batch((3, '3.jpg'))))
    assert ids == ['video/0:a', 'video/4:b', 'image/3:3.jpg']
