"""The tools' runner set-up refuses a model and data that disagree on the
frame count, the text length or the VTM false videos, before anything is
built."""
import os
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


def test_false_videos_must_match_the_models_vtm_negative_source():
    cfg = _cfg('pretrain_ti_demo.py')  # 'dataset' negatives, 1 per sample
    cfg.train_dataloader.dataset.num_false_videos = 0
    with pytest.raises(ValueError, match=r'train_dataloader\.dataset '
                       r"\(VideoTextDataset\) draws no false videos.*"
                       r"vtm_negative_source='dataset'"):
        check_model_data_agreement(cfg)
    cfg = _cfg('pretrain_ti_demo.py')
    cfg.model.vtm_negative_source = 'batch'
    with pytest.raises(ValueError, match=r'num_false_videos=1 false videos '
                       r"that the model ignores \(model.vtm_negative_source="
                       r"'batch'\)"):
        check_model_data_agreement(cfg)
    cfg.train_dataloader.dataset.num_false_videos = 0
    check_model_data_agreement(cfg)


def test_false_videos_of_other_loaders_are_checked():
    cfg = _cfg('pretrain_ti+_cotrain_demo.py')  # the image source too
    cfg.train_cfg.other_loaders.image.dataset.num_false_videos = 0
    with pytest.raises(ValueError, match=r'train_cfg\.other_loaders\.image'
                       r'\.dataset \(CC3MDataset\) draws no false videos'):
        check_model_data_agreement(cfg)
    cfg = _cfg('pretrain_b_webvid_howto.py')  # evaluation: in-batch
    cfg.val_dataloader.dataset.datasets[1].num_false_videos = 1
    with pytest.raises(ValueError, match=r'val_dataloader\.dataset\.'
                       r'datasets\[1\] \(HowTo100MDataset\).*evaluation'):
        check_model_data_agreement(cfg)
    cfg = _cfg('retrieval_ti_demo.py')  # no VTM video negatives at all
    cfg.train_dataloader.dataset.num_false_videos = 1
    with pytest.raises(ValueError, match='AllInOneRetrieval takes no VTM'):
        check_model_data_agreement(cfg)


@pytest.mark.parametrize(
    'name', sorted(n for n in os.listdir(CFG_DIR) if n.endswith('.py')))
def test_every_shipped_config_agrees(name):
    check_model_data_agreement(_cfg(name))
