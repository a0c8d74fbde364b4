"""Every config loads; model configs build the registered model."""
import glob
import os.path as osp

import pytest
import torch

import mmallinone  # noqa: F401
from mmallinone.registry import MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                           recursive=True))


def test_configs_found():
    names = {osp.relpath(p, REPO) for p in CONFIGS}
    assert 'configs/allinone/pretrain_b_webvid_howto.py' in names
    assert 'configs/allinone/pretrain_ti_demo.py' in names


@pytest.mark.parametrize('path', CONFIGS,
                         ids=[osp.relpath(p, REPO) for p in CONFIGS])
def test_config_loads(path):
    cfg = Config.fromfile(path)
    if 'allinone/' in path:
        assert cfg.default_scope == 'mmallinone'
        init_default_scope('mmallinone')
        assert MODELS.get(cfg.model.type) is not None, cfg.model.type


@pytest.mark.parametrize('size,arch,width', [('ti', 'tiny', 192),
                                             ('s', 'small', 384)])
def test_model_configs_build(size, arch, width):
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', '_base_', 'models', f'allinone_{size}.py'))
    assert cfg.model.backbone.arch == arch
    init_default_scope('mmallinone')
    model = MODELS.build(cfg.model)
    assert model.backbone.embed_dims == width
    assert len(model.backbone.blocks) == 12
    # same heads/losses/preprocessor as B: only the arch differs
    b = Config.fromfile(
        osp.join(REPO, 'configs', '_base_', 'models', 'allinone_b.py'))
    b.model.backbone.arch = arch
    assert b.model.to_dict() == cfg.model.to_dict()
    assert not any(p.requires_grad is False for p in model.parameters())
    assert isinstance(model.data_preprocessor.mean, torch.Tensor)


@pytest.mark.parametrize(
    'path', [p for p in CONFIGS if osp.sep + 'allinone' + osp.sep in p],
    ids=osp.basename)
def test_model_reads_frames_and_text_len_from_the_data(path):
    """Task configs take num_frames / max_text_len from their dataset base."""
    cfg = Config.fromfile(path)
    backbone = cfg.get('model', {}).get('backbone')
    if backbone is None:
        pytest.skip('no backbone in this config')
    if 'num_frames' in cfg:
        assert backbone.num_frames == cfg.num_frames
    if 'max_text_len' in cfg:
        assert backbone.max_text_len == cfg.max_text_len
