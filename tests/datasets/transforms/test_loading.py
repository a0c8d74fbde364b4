"""Tests of LoadImageAsClip and RestrictToClipWindow."""
import os.path as osp

import decord
import mmcv
import numpy as np
import pytest
from mmcv.transforms import Compose

import mmallinone  # noqa: F401
from mmallinone.datasets.transforms import (LoadImageAsClip,
                                            RestrictToClipWindow)
from mmallinone.registry import TRANSFORMS

DEMO = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))),
    'data', 'demo')


@pytest.fixture(scope='module')
def frame():
    vr = decord.VideoReader(osp.join(DEMO, 'eye_makeup.avi'), num_threads=1)
    return vr[10].asnumpy()  # RGB (240, 320, 3)


def test_load_image_as_clip(tmp_path, frame):
    path = str(tmp_path / 'frame.png')
    mmcv.imwrite(frame[..., ::-1], path)  # cv2 writes BGR
    t = TRANSFORMS.build(dict(type='LoadImageAsClip'))
    out = t(dict(filename=path))
    assert len(out['imgs']) == 1
    assert out['imgs'][0].dtype == np.uint8
    np.testing.assert_array_equal(out['imgs'][0], frame)  # RGB, lossless
    assert out['total_frames'] == 1 and out['start_index'] == 0
    assert out['img_shape'] == (240, 320)


def test_image_shares_the_video_pipeline_tail(tmp_path, frame):
    path = str(tmp_path / 'frame.png')
    mmcv.imwrite(frame[..., ::-1], path)
    pipeline = Compose([
        TRANSFORMS.build(c) for c in [
            dict(type='LoadImageAsClip', clip_len=3),
            dict(type='mmaction.Resize', scale=(-1, 40)),
            dict(type='mmaction.CenterCrop', crop_size=32),
            dict(type='mmaction.Flip', flip_ratio=0.5),
            dict(type='TokenizeText'),
            dict(type='PackVideoTextInputs'),
        ]
    ])
    out = pipeline(dict(filename=path, text='a woman applies eye makeup'))
    imgs = out['inputs']['imgs']
    assert imgs.shape == (3, 3, 32, 32)
    assert (imgs[0] == imgs[1]).all() and (imgs[1] == imgs[2]).all()


def test_load_image_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        LoadImageAsClip()(dict(filename=str(tmp_path / 'missing.png')))
    with pytest.raises(ValueError):
        LoadImageAsClip(clip_len=0)


def _window(start, end, total=300, fps=30.0, **kwargs):
    t = RestrictToClipWindow(**kwargs)
    return t(
        dict(
            total_frames=total,
            avg_fps=fps,
            start_index=0,
            clip_window=(start, end)))


def test_window_frames():
    out = _window(2.0, 4.0)
    assert out['start_index'] == 60
    assert out['total_frames'] == 60  # frames 60..119
    assert out['window_frames'] == (60, 119)
    assert out['video_total_frames'] == 300


def test_window_clamped_to_video():
    out = _window(8.0, 20.0)  # video is 10 s long
    assert out['window_frames'] == (240, 299)
    out = _window(50.0, 60.0, min_frames=8)  # entirely past the end
    assert out['window_frames'] == (292, 299)
    with pytest.raises(ValueError, match='end < start'):
        _window(3.0, 2.0)


def test_window_noop_and_fps_error():
    t = RestrictToClipWindow()
    res = dict(total_frames=10, start_index=0)
    assert t(dict(res)) == res
    with pytest.raises(ValueError, match='fps'):
        t(dict(res, clip_window=(0, 1)))


@pytest.mark.parametrize('sampler', [
    dict(type='mmaction.UniformSample', clip_len=3, test_mode=False),
    dict(type='mmaction.UniformSample', clip_len=3, test_mode=True),
    dict(type='mmaction.SampleFrames', clip_len=4, frame_interval=2,
         num_clips=1),
])
def test_mmaction_samplers_stay_in_window(sampler):
    """Real decode: mmaction2's samplers only draw inside the window."""
    pipeline = Compose([
        TRANSFORMS.build(c) for c in [
            dict(type='mmaction.DecordInit'),
            dict(type='RestrictToClipWindow'),
            sampler,
            dict(type='mmaction.DecordDecode'),
        ]
    ])
    for seed in range(5):
        np.random.seed(seed)
        out = pipeline(
            dict(
                filename=osp.join(DEMO, 'basketball_gym.mp4'),
                start_index=0,
                clip_window=(4.0, 6.0)))  # 30 fps -> frames 120..179
        inds = out['frame_inds']
        assert inds.min() >= 120 and inds.max() <= 179, inds
        assert len(out['imgs']) == len(inds)
