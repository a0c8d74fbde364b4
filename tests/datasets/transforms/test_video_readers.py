"""Differential test: every decoder backend returns decord's frame count,
frame rate, keyframes, sampled ``frame_inds`` and pixels on the demo videos.

Measured tolerances (PyAV 18.1, torchcodec 0.17, decord 0.6.0; FFmpeg's
swscale RGB conversion in all three):

- H.264 MP4 (4 videos, 240p-1080p): PyAV and torchcodec bit-exact (max abs
  diff 0) on every frame asked.
- MPEG-4 Part 2 AVI with packed B-frames (eye_makeup.avi): PyAV bit-exact;
  torchcodec indexes frames by the demuxer's (here off-by-one) timestamps
  after a seek, so frame ``i`` is decord's frame ``i`` or ``i - 1``
  (bit-exact): a tolerance of one frame (40 ms). Reading every frame in
  order it also fails on the last one. Prefer PyAV or decord for such
  files.
"""
import os.path as osp

import numpy as np
import pytest

from mmallinone.datasets.transforms.video_readers import (backend_installed,
                                                          open_video)
from mmallinone.registry import TRANSFORMS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
DEMO = osp.join(REPO, 'data', 'demo')
MP4S = ['arm_wrestling.mp4', 'basketball_gym.mp4', 'pool_cleaning.mp4',
        'two_men_greeting_1080p.mp4']
AVI = 'eye_makeup.avi'
BACKENDS = ['pyav', 'torchcodec']

pytestmark = pytest.mark.skipif(not backend_installed('decord'),
                                reason='decord is the reference')


def _need(backend):
    if not backend_installed(backend):
        pytest.skip(f'{backend} not installed')


def _indices(n, big=False):
    # unsorted, repeated, both ends, across keyframe intervals
    if big:  # 1080p: fewer frames (each decodes the GOP up to it)
        return [n // 4, 0, n // 4]
    return [n - 1, 0, n // 2, n // 2, 1, n // 3, n - 2, 2 * n // 3]


@pytest.mark.parametrize('backend', BACKENDS)
@pytest.mark.parametrize('name', MP4S + [AVI])
def test_count_fps_keyframes_match_decord(name, backend):
    _need(backend)
    data = open(osp.join(DEMO, name), 'rb').read()
    ref = open_video(data, 'decord')
    got = open_video(data, backend)
    assert len(got) == len(ref)
    assert got.get_avg_fps() == pytest.approx(ref.get_avg_fps(), rel=1e-9)
    assert got.get_key_indices() == ref.get_key_indices()


@pytest.mark.parametrize('backend', BACKENDS)
@pytest.mark.parametrize('name', MP4S)
def test_mp4_pixels_bit_exact(name, backend):
    _need(backend)
    data = open(osp.join(DEMO, name), 'rb').read()
    ref = open_video(data, 'decord')
    inds = _indices(len(ref), big='1080p' in name)
    expected = ref.get_batch(inds)
    got = open_video(data, backend).get_batch(inds)
    assert got.dtype == np.uint8 and got.shape == expected.shape
    assert np.abs(got.astype(int) - expected).max() == 0


def test_avi_pyav_bit_exact_torchcodec_within_one_frame():
    data = open(osp.join(DEMO, AVI), 'rb').read()
    ref = open_video(data, 'decord')
    n = len(ref)
    all_ref = ref.get_batch(list(range(n)))
    inds = _indices(n)
    assert np.array_equal(open_video(data, 'pyav').get_batch(inds),
                          all_ref[inds])
    if not backend_installed('torchcodec'):
        return
    got = open_video(data, 'torchcodec').get_batch(inds)
    for i, frame in zip(inds, got):
        assert any(np.array_equal(frame, all_ref[j])
                   for j in (i, max(i - 1, 0))), i


@pytest.mark.parametrize('backend', BACKENDS)
def test_same_frame_inds_through_the_pipeline(backend):
    """mmaction2's SampleFrames picks the same indices whatever decodes."""
    _need(backend)
    out = {}
    for b in ('decord', backend):
        pipe = [TRANSFORMS.build(t) for t in (
            dict(type='SafeVideoInit', backend=b),
            dict(type='mmaction.SampleFrames', clip_len=1, frame_interval=1,
                 num_clips=8),
            dict(type='VideoDecode'))]
        np.random.seed(3)
        results = dict(filename=osp.join(DEMO, MP4S[0]), start_index=0,
                       modality='RGB')
        for t in pipe:
            results = t(results)
        out[b] = results
    assert out[backend]['video_backend'] == backend
    assert np.array_equal(out['decord']['frame_inds'],
                          out[backend]['frame_inds'])
    assert np.array_equal(np.stack(out['decord']['imgs']),
                          np.stack(out[backend]['imgs']))
    assert out[backend]['avg_fps'] == out['decord']['avg_fps']


def test_out_of_range_index_raises():
    data = open(osp.join(DEMO, MP4S[0]), 'rb').read()
    reader = open_video(data, 'pyav')
    with pytest.raises(IndexError, match='out of range'):
        reader.get_batch([len(reader)])
    with pytest.raises(ValueError, match='no frame indices'):
        reader.get_batch([])


def test_pyav_keyframes_alone_bit_exact():
    """Keyframes asked alone take PyAV's drain-at-once fast path (the one
    keyframe-aware sampling uses); the frames stay decord's."""
    data = open(osp.join(DEMO, MP4S[0]), 'rb').read()
    ref = open_video(data, 'decord')
    keys = ref.get_key_indices()  # 0 187 230 268
    reader = open_video(data, 'pyav')
    for inds in (keys, keys[::-1], [keys[1], keys[1] + 2, keys[3]]):
        assert np.array_equal(reader.get_batch(inds), ref.get_batch(inds))
