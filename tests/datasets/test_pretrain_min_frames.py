"""Every pre-training config rejects clips shorter than its frame count
(issue 16, item 10): the train pipelines' ``SafeDecordInit`` has
``min_frames`` equal to the clip length, both read from the data config's
one ``num_frames`` variable, and a 1-frame video given to the demo
pre-training pipeline is refused instead of trained on as copies of its
frame."""
import glob
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.dataset import Compose

from datasets_helpers import REPO

PRETRAIN_CONFIGS = sorted(
    glob.glob(osp.join(REPO, 'configs', 'allinone', 'pretrain_*.py')))
DECODERS = ('SafeVideoInit', 'SafeDecordInit', 'DecordInit', 'mmaction.DecordInit',
            'PyAVInit', 'mmaction.PyAVInit', 'OpenCVInit',
            'mmaction.OpenCVInit')


def _train_datasets(cfg: Config):
    """Every training dataset config of ``cfg`` (nested ones included)."""
    loaders = [cfg.train_dataloader]
    other = (cfg.get('train_cfg') or {}).get('other_loaders') or {}
    loaders += list(other.values())
    stack = [loader['dataset'] for loader in loaders]
    while stack:
        dataset = stack.pop()
        if 'datasets' in dataset:
            stack.extend(dataset['datasets'])
        elif 'dataset' in dataset:
            stack.append(dataset['dataset'])
        else:
            yield dataset


def _clip_len(pipeline) -> int:
    for step in pipeline:
        if 'clip_len' in step:
            return step['clip_len'] * step.get('num_clips', 1)
    raise AssertionError(f'no frame sampler in {pipeline}')


def test_pretrain_configs_found():
    names = [osp.basename(p) for p in PRETRAIN_CONFIGS]
    assert 'pretrain_ti_demo.py' in names
    assert 'pretrain_b_webvid_howto.py' in names


@pytest.mark.parametrize('path', PRETRAIN_CONFIGS, ids=osp.basename)
def test_pretrain_video_pipelines_reject_short_clips(path):
    cfg = Config.fromfile(path)
    video_pipelines = 0
    for dataset in _train_datasets(cfg):
        pipeline = dataset['pipeline']
        decoders = [s for s in pipeline if s['type'] in DECODERS]
        if not decoders:
            continue  # an image dataset (LoadImageAsClip)
        video_pipelines += 1
        assert len(decoders) == 1 and decoders[0]['type'] in (
            'SafeVideoInit', 'SafeDecordInit'), path
        clip_len = _clip_len(pipeline)
        assert decoders[0].get('min_frames', 1) == clip_len, (
            f'{osp.basename(path)}: {dataset["type"]} keeps clips shorter '
            f'than its {clip_len} frames (min_frames='
            f'{decoders[0].get("min_frames", 1)})')
        assert clip_len == cfg.num_frames  # the one shared value
    assert video_pipelines, f'{path}: no video training pipeline'


def test_demo_pretrain_refuses_a_one_frame_video(tmp_path):
    import cv2
    path = str(tmp_path / 'one_frame.mp4')
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 24,
                             (64, 48))
    writer.write(np.zeros((48, 64, 3), dtype=np.uint8))
    writer.release()
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'allinone', 'pretrain_ti_demo.py'))
    pipeline = Compose(cfg.train_pipeline)
    with pytest.raises(ValueError, match='has 1 frames, fewer than '
                       'min_frames=3'):
        pipeline(dict(filename=path, text='a caption', start_index=0))
