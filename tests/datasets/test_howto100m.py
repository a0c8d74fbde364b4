"""Tests of HowTo100MDataset (both caption formats, time windows)."""
import json
import math
import os.path as osp

import numpy as np
import pytest

from datasets_helpers import REPO, TEST_DATA, VIDEOS, tiny_pipeline
from mmallinone.datasets import HowTo100MDataset

ROOT = osp.join(TEST_DATA, 'howto100m')
# captions of the fixtures, windows widened to >= 4 s
WINDOWS = {
    'basketball_gym': {
        'shoot the ball from here': (0.0, 4.0),
        'now practice the layup': (5.75, 9.75),
    },
    'pool_cleaning': {
        'skim the leaves off the water': (0.5, 6.0),
        'then brush the walls': (5.5, 9.5),
        'and empty the basket': (6.75, 10.75),
    },
}


def _dataset(fmt, test_mode=False, **kwargs):
    captions = dict(caption_dir='howto100m_csv') if fmt == 'dir' else dict(
        caption_file='caption.json')
    return HowTo100MDataset(
        ann_file='ht100_videos_split.csv',
        data_root=ROOT,
        data_prefix=dict(video=osp.join(REPO, 'data')),
        pipeline=tiny_pipeline(test_mode=test_mode, window=True),
        test_mode=test_mode,
        **captions,
        **kwargs)


@pytest.mark.parametrize('fmt', ['dir', 'json'])
def test_windows_respected(fmt):
    ds = _dataset(fmt)
    assert len(ds) == 2
    np.random.seed(0)
    seen = set()
    for _ in range(8):
        for idx in range(len(ds)):
            data = ds[idx]
            meta = data['data_samples'].metainfo
            vid, text = meta['video_id'], meta['text']
            start, end = WINDOWS[vid][text]
            assert meta['clip_window'] == pytest.approx((start, end))
            total, fps = VIDEOS[vid + '.mp4']
            first = math.floor(start * fps)
            last = min(total - 1, math.ceil(end * fps) - 1)
            inds = meta['frame_inds']
            assert inds.min() >= first and inds.max() <= last, (vid, text,
                                                                inds)
            assert data['inputs']['imgs'].shape == (3, 3, 32, 32)
            seen.add(text)
    assert len(seen) >= 4  # random caption per access in training


@pytest.mark.parametrize('fmt', ['dir', 'json'])
def test_test_mode_caption(fmt):
    first = _dataset(fmt, test_mode=True)
    centre = _dataset(fmt, test_mode=True, test_caption='centre')
    assert first[1]['data_samples'].metainfo['text'] == \
        'skim the leaves off the water'
    assert centre[1]['data_samples'].metainfo['text'] == \
        'then brush the walls'
    a = first[0]['data_samples'].metainfo['frame_inds']
    b = first[0]['data_samples'].metainfo['frame_inds']
    assert (a == b).all() and a.max() < 120  # within (0, 4) s at 30 fps


def test_caption_json_errors(tmp_path):
    (tmp_path / 'ht.csv').write_text('Name\na/basketball_gym.mp4\n'
                                     'a/other.mp4\n')
    bad = {'basketball_gym': {'start': [0], 'end': [1], 'text': ['x']}}
    (tmp_path / 'c.json').write_text(json.dumps(bad))
    with pytest.raises(ValueError, match=r'ht.csv, line 3, field "Name"'):
        HowTo100MDataset(
            ann_file='ht.csv', data_root=str(tmp_path),
            caption_file='c.json')
    bad['other'] = {'start': [0, 'x'], 'end': [1, 2], 'text': ['y', 'z']}
    (tmp_path / 'c.json').write_text(json.dumps(bad))
    with pytest.raises(ValueError, match=r'entry "other", field "start\[1\]"'):
        HowTo100MDataset(
            ann_file='ht.csv', data_root=str(tmp_path),
            caption_file='c.json')
    ds = HowTo100MDataset(
        ann_file='ht.csv', data_root=str(tmp_path), caption_file='c.json',
        skip_invalid_rows=True)
    assert len(ds) == 2 and ds.num_invalid_rows == 1
    with pytest.raises(ValueError, match='exactly one'):
        HowTo100MDataset(ann_file='ht.csv', data_root=str(tmp_path))
    (tmp_path / 'c.json').write_text(json.dumps({'x': bad['basketball_gym']}))
    (tmp_path / 'nolist.csv').write_text('name\nx.mp4\n')
    with pytest.raises(ValueError, match=r'line 1, field "Name"'):
        HowTo100MDataset(
            ann_file='nolist.csv', data_root=str(tmp_path),
            caption_file='c.json')


def test_caption_dir_lazy_errors(tmp_path, log_messages):
    (tmp_path / 'ht.csv').write_text(
        'Name\tx\nbasketball_gym.mp4\t1\npool_cleaning.mp4\t2\n')  # TSV
    caps = tmp_path / 'caps'
    caps.mkdir()
    (caps / 'basketball_gym.csv').write_text('text,start,end\nok,1,x\n')
    kwargs = dict(
        ann_file='ht.csv', data_root=str(tmp_path), caption_dir='caps',
        data_prefix=dict(video=osp.join(REPO, 'data', 'demo')),
        pipeline=tiny_pipeline(window=True))
    ds = HowTo100MDataset(**kwargs)
    assert len(ds) == 2
    # malformed caption row: the sample fails, is logged and replaced
    # (pool_cleaning's caption file is missing: fails too)
    with pytest.raises(RuntimeError, match='basketball_gym.csv, line 2, '
                       'field "end"'):
        HowTo100MDataset(test_mode=True, **kwargs)[0]
    with pytest.raises(RuntimeError, match='not found'):
        HowTo100MDataset(test_mode=True, **kwargs)[1]
    # in training the broken sample is logged, skipped and replaced
    (caps / 'pool_cleaning.csv').write_text('text,start,end\nok,1,2\n')
    np.random.seed(0)
    data = HowTo100MDataset(**kwargs)[0]
    assert data['data_samples'].metainfo['video_id'] == 'pool_cleaning'
    skips = [m for m in log_messages if 'skipped sample 0' in m]
    assert skips and 'basketball_gym.csv, line 2, field "end"' in skips[0]
