"""configs/recognition: mmaction2-scope linear-probe / fine-tune configs and
the zero-shot classification configs are consistent and build."""
import glob
import os.path as osp
import re

import pytest

import mmallinone  # noqa: F401
from mmengine.config import Config
from mmengine.registry import init_default_scope

# These tests switch MMEngine's default scope to 'mmaction'.
pytestmark = pytest.mark.usefixtures('restore_default_scope')

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG_DIR = osp.join(REPO, 'configs', 'recognition')
RECOGNIZERS = sorted(
    glob.glob(osp.join(CONFIG_DIR, 'linear-probe_*.py')) +
    glob.glob(osp.join(CONFIG_DIR, 'finetune_*.py')))
ZERO_SHOT = sorted(glob.glob(osp.join(CONFIG_DIR, 'zero-shot-cls_*.py')))
CLASSES = dict(k400=400, hmdb51=51, ucf101=101, demo=5)
WIDTH = dict(b=768, ti=192)


def _name_parts(path):
    # {task}_{arch}[_8f]_{data}.py
    m = re.match(r'([\w-]+)_(b|ti)(_8f)?_(\w+)\.py$', osp.basename(path))
    assert m, path
    return m.group(1), m.group(2), 8 if m.group(3) else 3, m.group(4)


def test_expected_configs_exist():
    names = {osp.basename(p) for p in RECOGNIZERS + ZERO_SHOT}
    for data in ('k400', 'hmdb51', 'ucf101'):
        assert f'linear-probe_b_{data}.py' in names
        assert f'linear-probe_b_8f_{data}.py' in names
        assert f'zero-shot-cls_b_{data}.py' in names
    assert 'finetune_b_hmdb51.py' in names
    for name in names:
        assert osp.basename(name) in open(
            osp.join(CONFIG_DIR, 'README.md')).read(), name
        assert f'configs/recognition/{name}' in open(
            osp.join(CONFIG_DIR, 'metafile.yml')).read(), name


@pytest.mark.parametrize('path', RECOGNIZERS,
                         ids=[osp.basename(p) for p in RECOGNIZERS])
def test_recognizer_config(path):
    task, arch, frames, data = _name_parts(path)
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmaction'
    assert cfg.custom_imports.imports == ['mmallinone']
    model = cfg.model
    assert model.type == 'Recognizer3D'
    assert model.backbone.type == 'mmallinone.AllInOneVideoBackbone'
    assert model.backbone.frozen is (task == 'linear-probe')
    assert model.backbone.num_frames == frames
    assert model.cls_head.type == 'I3DHead'
    assert model.cls_head.spatial_type is None
    assert model.cls_head.num_classes == CLASSES[data]
    assert model.cls_head.in_channels == WIDTH[arch]
    assert model.data_preprocessor.format_shape == 'NCTHW'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = cfg[loader].dataset
        assert dataset.type == 'mmallinone.RobustVideoDataset'
        assert dataset.num_classes == CLASSES[data]
        assert dataset.pipeline[0].type == 'mmallinone.SafeDecordInit'
        sample = [t for t in dataset.pipeline
                  if t.type == 'UniformSample']
        assert len(sample) == 1 and sample[0].clip_len == frames
        assert sample[0].num_clips == 1
        assert dataset.pipeline[-2].input_format == 'NCTHW'
        if data != 'demo':
            assert data in dataset.ann_file.replace('kinetics', 'k')


@pytest.mark.parametrize('path', ZERO_SHOT,
                         ids=[osp.basename(p) for p in ZERO_SHOT])
def test_zero_shot_config(path):
    _, _, frames, data = _name_parts(path)
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmallinone'
    assert cfg.model.type == 'AllInOneZeroShotClassifier'
    assert cfg.model.backbone.num_frames == frames
    assert cfg.test_dataloader.dataset.type == 'RobustVideoDataset'
    assert cfg.test_dataloader.dataset.pipeline[0].type == 'SafeDecordInit'
    assert cfg.test_evaluator.type == 'mmaction.AccMetric'
    assert cfg.get('train_dataloader') is None
    if data != 'demo':
        assert data in cfg.model.class_names.replace('kinetics', 'k')


def test_demo_configs_build_tiny():
    """Both demo configs build from their registries (tiny arch)."""
    cfg = Config.fromfile(osp.join(CONFIG_DIR, 'linear-probe_ti_demo.py'))
    init_default_scope('mmaction')
    from mmaction.registry import MODELS as MMACTION_MODELS
    arch = dict(embed_dims=32, num_layers=2, num_heads=2)
    cfg.model.backbone.arch = arch
    cfg.model.cls_head.in_channels = 32
    model = MMACTION_MODELS.build(cfg.model)
    assert not any(p.requires_grad for p in model.backbone.parameters())
    assert all(p.requires_grad for p in model.cls_head.parameters())

    cfg = Config.fromfile(osp.join(CONFIG_DIR, 'zero-shot-cls_ti_demo.py'))
    init_default_scope('mmallinone')
    from mmallinone.registry import MODELS
    cfg.model.backbone.arch = arch
    model = MODELS.build(cfg.model)
    assert model.class_names == [
        'arm wrestling', 'hugging', 'shooting basketball', 'cleaning pool',
        'applying eye makeup'
    ]


def test_finetune_config_trains_the_backbone():
    """Same backbone config, unfrozen: every parameter trains, train mode."""
    cfg = Config.fromfile(osp.join(CONFIG_DIR, 'finetune_b_hmdb51.py'))
    init_default_scope('mmaction')
    from mmaction.registry import MODELS as MMACTION_MODELS
    cfg.model.backbone.arch = dict(embed_dims=32, num_layers=2, num_heads=2)
    cfg.model.backbone.pretrained = None
    cfg.model.cls_head.in_channels = 32
    model = MMACTION_MODELS.build(cfg.model)
    model.train()
    assert model.backbone.training and model.backbone.blocks[0].training
    assert all(p.requires_grad for p in model.parameters())
    assert cfg.optim_wrapper.paramwise_cfg.custom_keys['cls_head'][
        'lr_mult'] == 10.0
