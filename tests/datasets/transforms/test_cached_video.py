"""CachedVideoInit / CachedVideoDecode: decode once, in memory and on disk."""
import os
import os.path as osp

import cv2
import decord
import numpy as np
import pytest
from mmcv.transforms import Compose

import mmallinone  # noqa: F401
from mmallinone.datasets.transforms import loading


def _write_video(path, frames):
    h, w = frames.shape[1:3]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'FFV1'), 3,
                             (w, h))
    for f in frames:
        writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    writer.release()


@pytest.fixture
def video(tmp_path):
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, (5, 8, 64, 3), dtype=np.uint8)
    path = str(tmp_path / 'clip.mp4')
    _write_video(path, frames)
    return path, frames


@pytest.fixture(autouse=True)
def fresh_memory_cache(monkeypatch):
    monkeypatch.setattr(loading, '_CACHE', loading._DecodedVideoCache())


def _pipeline(cache_dir=None):
    return Compose([
        dict(type='CachedVideoInit', cache_dir=cache_dir),
        dict(type='mmaction.SampleFrames', clip_len=1, frame_interval=1,
             num_clips=3, test_mode=True),
        dict(type='CachedVideoDecode'),
    ])


def test_frames_match_decord(video):
    path, frames = video
    out = _pipeline()(dict(filename=path, start_index=0, modality='RGB'))
    expected = decord.VideoReader(path).get_batch(
        out['frame_inds'].tolist()).asnumpy()
    assert out['total_frames'] == 5
    np.testing.assert_array_equal(np.stack(out['imgs']), expected)
    np.testing.assert_array_equal(expected, frames[out['frame_inds']])


def test_disk_cache_is_read_by_the_next_process(video, tmp_path,
                                                monkeypatch):
    path, frames = video
    cache_dir = str(tmp_path / 'decoded')
    first = _pipeline(cache_dir)(dict(filename=path, start_index=0))
    saved = os.listdir(cache_dir)
    assert len(saved) == 1 and saved[0].endswith('.npz')

    # a new process: empty memory cache, and decord must not be called
    monkeypatch.setattr(loading, '_CACHE', loading._DecodedVideoCache())

    def no_decoding(*args, **kwargs):
        raise AssertionError('decoded although the frames are on disk')

    monkeypatch.setattr(decord, 'VideoReader', no_decoding)
    second = _pipeline(cache_dir)(dict(filename=path, start_index=0))
    np.testing.assert_array_equal(np.stack(second['imgs']),
                                  np.stack(first['imgs']))
    assert second['avg_fps'] == pytest.approx(first['avg_fps'])


def test_changed_or_damaged_entries_are_decoded_again(video, tmp_path,
                                                      monkeypatch):
    path, frames = video
    cache_dir = str(tmp_path / 'decoded')
    _pipeline(cache_dir)(dict(filename=path, start_index=0))
    (entry, ) = os.listdir(cache_dir)
    with open(osp.join(cache_dir, entry), 'wb') as f:
        f.write(b'not a zip file')  # damaged (e.g. a killed writer)
    monkeypatch.setattr(loading, '_CACHE', loading._DecodedVideoCache())
    out = _pipeline(cache_dir)(dict(filename=path, start_index=0))
    np.testing.assert_array_equal(np.stack(out['imgs']),
                                  frames[out['frame_inds']])
    assert os.listdir(cache_dir) == [entry]  # rewritten in place

    # the video changes on disk: a new key, the new frames are returned
    new_frames = 255 - frames
    _write_video(path, new_frames)
    os.utime(path, ns=(1, 1))
    monkeypatch.setattr(loading, '_CACHE', loading._DecodedVideoCache())
    out = _pipeline(cache_dir)(dict(filename=path, start_index=0))
    np.testing.assert_array_equal(np.stack(out['imgs']),
                                  new_frames[out['frame_inds']])
    assert len(os.listdir(cache_dir)) == 2
