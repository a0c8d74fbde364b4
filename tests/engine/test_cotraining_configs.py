"""The B+ co-training configs: structure, batch arithmetic, and their data
sections load real samples when pointed at the demo data (WebVid CSV layout
+ CC3M TSV layout)."""
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmallinone  # noqa: F401
from mmallinone.registry import DATASETS, MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CFG_DIR = osp.join(REPO, 'configs', 'allinone')


def test_cc3m_webvid_config_builds_and_loads_both_sources():
    cfg = Config.fromfile(osp.join(CFG_DIR, 'pretrain_b+_cc3m_webvid.py'))
    init_default_scope('mmallinone')
    loop, image = cfg.train_cfg, cfg.train_cfg.other_loaders.image
    assert loop.type == 'CoTrainingIterBasedTrainLoop'
    # 2048 videos and 2048 images per optimizer step, 200k steps
    per_step = cfg.num_gpus * cfg.optim_wrapper.accumulative_counts
    assert per_step * cfg.train_dataloader.batch_size == 2048
    assert per_step * image.batch_size == 2048
    assert loop.max_iters == 200_000 * cfg.optim_wrapper.accumulative_counts
    model_cfg = cfg.model.copy()
    model_cfg.backbone.arch = dict(embed_dims=32, num_layers=1, num_heads=2)
    model = MODELS.build(model_cfg)
    assert type(model.data_preprocessor).__name__ == \
        'MultiSourceDataPreprocessor'
    assert model.share_heads and not len(model.source_heads)
    assert torch.equal(model.data_preprocessor.mean_image.flatten(),
                       torch.full((3, ), 127.5))

    video_cfg = cfg.train_dataloader.dataset.copy()
    video_cfg.data_root = osp.join(REPO, 'data', 'demo', 'webvid')
    video = DATASETS.build(video_cfg)
    image_cfg = image.dataset.copy()
    image_cfg.update(
        data_root=osp.join(REPO, 'data', 'demo', 'cc3m'),
        data_prefix=dict(img=''))
    images = DATASETS.build(image_cfg)
    assert len(video) == 4 and len(images) == 10  # demo: 4 train videos
    v, i = video[0], images[0]
    assert v['inputs']['imgs'].shape == (3, 3, 224, 224)
    assert i['inputs']['imgs'].shape == (1, 3, 224, 224)
    assert i['inputs']['false_imgs'].shape == (1, 3, 224, 224)
    assert 'mlm_labels' in i['inputs']
    assert cfg.val_dataloader.dataset.type == 'WebVidDataset'


def test_8datasets_config_sources():
    cfg = Config.fromfile(osp.join(CFG_DIR, 'pretrain_b+_8datasets.py'))
    videos = cfg.train_dataloader.dataset.datasets
    images = cfg.train_cfg.other_loaders.image.dataset.datasets
    assert [d.type for d in videos
            ] == ['WebVidDataset', 'YTTemporalDataset', 'HowTo100MDataset']
    assert [d.type for d in images] == [
        'CC3MDataset', 'CC12MDataset', 'VisualGenomeCaptionDataset',
        'COCOCaptionDataset', 'SBUCaptionDataset'
    ]
    assert 'RestrictToClipWindow' in [p.type for p in videos[1].pipeline]
    assert all(
        d.pipeline[0].type == 'LoadImageAsClip' and d.pipeline[0].clip_len == 1
        for d in images)
    assert cfg.train_cfg.type == 'CoTrainingIterBasedTrainLoop'
