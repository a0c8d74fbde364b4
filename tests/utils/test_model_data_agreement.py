"""The tools' runner set-up refuses a model and data that disagree on the
frame count or the text length, before anything is built."""
import os.path as osp

import pytest
from mmengine.config import Config

import mmallinone  # noqa: F401
from mmallinone.utils.runner import build_runner, check_model_data_agreement

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CFG_DIR = osp.join(REPO, 'configs', 'allinone')


def _cfg(name='retrieval_ti_demo.py'):
    return Config.fromfile(osp.join(CFG_DIR, name))


def test_num_frames_mismatch_is_an_error():
    cfg = _cfg()
    cfg.model.backbone.num_frames = 4
    with pytest.raises(ValueError, match=r'clip_len=3.*num_frames=4'):
        build_runner(cfg)


def test_text_longer_than_the_position_table_is_an_error():
    cfg = _cfg()
    cfg.model.backbone.max_text_len = 20
    with pytest.raises(ValueError, match=r'max_length=40.*max_text_len=20'):
        check_model_data_agreement(cfg)


@pytest.mark.parametrize('name', [
    'retrieval_ti_demo.py', 'pretrain_ti_demo.py', 'mcqa_b_tvqa.py',
    'vcr_ti_demo.py', 'pretrain_ti+_cotrain_demo.py',
    'synthetic-motion_block_ti.py'
])
def test_shipped_configs_agree(name):
    check_model_data_agreement(_cfg(name))
