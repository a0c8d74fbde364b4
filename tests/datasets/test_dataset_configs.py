"""The base dataset configs load and build dataloaders that yield batches."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from datasets_helpers import REPO, TEST_DATA

CFG_DIR = osp.join(REPO, 'configs', '_base_', 'datasets')


def _check_batch(batch, batch_size, size, false=True):
    imgs = batch['inputs']['imgs']
    assert len(imgs) == batch_size
    for x in imgs:
        assert x.dtype == torch.uint8 and x.shape == (3, 3, size, size)
    if false:
        assert len(batch['inputs']['false_imgs']) == batch_size
    for ids in batch['inputs']['input_ids']:
        assert ids.dtype == torch.long
        assert ids.numel() <= 40


@pytest.mark.slow  # real dataloader worker processes
def test_demo_pretrain_config(monkeypatch):
    monkeypatch.chdir(REPO)  # paths in the config are repo-relative
    cfg = Config.fromfile(osp.join(CFG_DIR, 'demo_pretrain.py'))
    assert cfg.num_frames == 3 and cfg.img_size == 224
    assert cfg.train_dataloader.num_workers == 2
    assert cfg.train_dataloader.persistent_workers
    assert cfg.train_dataloader.dataset.num_false_videos == 1
    # real worker processes, as in training
    loader = Runner.build_dataloader(cfg.train_dataloader, seed=0)
    assert len(loader.dataset) == 10
    batch = next(iter(loader))
    _check_batch(batch, cfg.batch_size, 224)
    inputs = batch['inputs']
    assert all(m.shape == i.shape for m, i in zip(inputs['mlm_labels'],
                                                  inputs['input_ids']))
    val = Runner.build_dataloader(
        dict(cfg.val_dataloader, num_workers=0, persistent_workers=False),
        seed=0)
    assert len(val.dataset) == 5 and val.dataset.test_mode
    batch = next(iter(val))
    _check_batch(batch, cfg.batch_size, 224, false=False)
    assert 'mlm_labels' not in batch['inputs']


def test_webvid_howto_config_on_fixtures():
    cfg = Config.fromfile(osp.join(CFG_DIR, 'webvid_howto_pretrain.py'))
    webvid, howto = cfg.train_dataloader.dataset.datasets
    assert cfg.train_dataloader.dataset.type == 'ConcatDataset'
    assert webvid.type == 'WebVidDataset' and webvid.ann_format == 'csv'
    assert howto.type == 'HowTo100MDataset'
    assert cfg.train_pipeline[1].type == 'RestrictToClipWindow'
    webvid.update(
        data_root=osp.join(TEST_DATA, 'webvid'),
        ann_file='results_2M_train_sample.csv',
        data_prefix=dict(video=osp.join(REPO, 'data')))
    howto.update(
        data_root=osp.join(TEST_DATA, 'howto100m'),
        ann_file='ht100_videos_split.csv',
        data_prefix=dict(video=osp.join(REPO, 'data')))
    loader_cfg = dict(
        cfg.train_dataloader,
        batch_size=5,
        num_workers=0,
        persistent_workers=False,
        sampler=dict(type='DefaultSampler', shuffle=False))
    loader = Runner.build_dataloader(loader_cfg, seed=0)
    assert len(loader.dataset) == 5  # 3 WebVid rows + 2 HowTo100M videos
    batch = next(iter(loader))
    _check_batch(batch, 5, 224)
    windows = [s.metainfo.get('clip_window') for s in batch['data_samples']]
    assert windows[-2:] != [None, None]  # HowTo100M samples have windows
