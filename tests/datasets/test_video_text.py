"""Tests of VideoTextDataset and the robust loading of BaseVideoTextDataset."""
import json
import os.path as osp
import shutil

import numpy as np
import pytest
import torch

from mmallinone.datasets import AnnotationError, VideoTextDataset
from mmallinone.registry import DATASETS
from datasets_helpers import DEMO_DIR, TEST_DATA, VIDEOS, tiny_pipeline


def _jsonl(path, rows):
    with open(path, 'w') as f:
        for row in rows:
            f.write((row if isinstance(row, str) else json.dumps(row)) + '\n')
    return str(path)


def _demo_dataset(**kwargs):
    cfg = dict(
        type='VideoTextDataset',
        data_root=DEMO_DIR,
        ann_file='annotations/pretrain_demo.jsonl',
        data_prefix=dict(video=''),
        pipeline=tiny_pipeline(kwargs.get('test_mode', False)))
    cfg.update(kwargs)
    return DATASETS.build(cfg)


def test_demo_annotations_cover_every_video():
    ds = _demo_dataset()
    assert len(ds) == 10  # 5 videos x 2 captions
    names = {osp.basename(ds.get_data_info(i)['filename'])
             for i in range(len(ds))}
    assert names == set(VIDEOS)
    per_video = _demo_dataset(expand_captions=False)
    assert len(per_video) == 5


@pytest.mark.parametrize('name', sorted(VIDEOS))
def test_decodes_every_real_video(name):
    """Each shared video (mp4/h264, avi/xvid, 1080p) through the real
    pipeline gives 3 uint8 frames of 32x32 and the right caption ids."""
    ds = _demo_dataset(test_mode=True)
    idx = next(i for i in range(len(ds))
               if ds.get_data_info(i)['filename'].endswith(name))
    data = ds[idx]
    imgs = data['inputs']['imgs']
    assert imgs.dtype == torch.uint8 and imgs.shape == (3, 3, 32, 32)
    assert imgs.float().std() > 1  # real content, not a blank frame
    sample = data['data_samples']
    total, _ = VIDEOS[name]
    inds = sample.metainfo['frame_inds']
    assert len(inds) == 3 and inds.max() < total
    ids = data['inputs']['input_ids']
    assert ids[0] == 101 and ids[-1] == 102
    assert sample.metainfo['video_id'] == osp.splitext(name)[0]
    assert sample.metainfo['sample_idx'] == idx


def test_train_sampling_random_test_deterministic():
    train = _demo_dataset()
    test = _demo_dataset(test_mode=True)
    np.random.seed(0)
    train_inds = {tuple(train[0]['data_samples'].metainfo['frame_inds'])
                  for _ in range(5)}
    assert len(train_inds) > 1
    test_inds = {tuple(test[0]['data_samples'].metainfo['frame_inds'])
                 for _ in range(3)}
    assert len(test_inds) == 1


def test_caption_choice_per_video():
    train = _demo_dataset(expand_captions=False, pipeline=[])
    test = _demo_dataset(
        expand_captions=False, pipeline=[], test_mode=True,
        test_caption='first')
    np.random.seed(0)
    texts = {train._load(0)['text'] for _ in range(20)}
    assert len(texts) == 2  # random caption in training
    assert {test._load(0)['text'] for _ in range(5)} == {
        'two people arm wrestling across a table'
    }


def test_generic_json_and_images(tmp_path):
    ds = VideoTextDataset(
        ann_file=osp.join(TEST_DATA, 'json', 'video_text.json'),
        data_prefix=dict(video=DEMO_DIR),
        pipeline=tiny_pipeline(test_mode=True, mlm=False))
    assert len(ds) == 3
    info = ds.get_data_info(0)
    assert info['video_id'] == 'aw' and info['caption_idx'] == 0
    assert ds.get_data_info(2)['video_id'] == 'eye_makeup'
    assert ds[2]['inputs']['imgs'].shape == (3, 3, 32, 32)
    # plain list JSON and an image row
    path = tmp_path / 'list.json'
    path.write_text(json.dumps([{'image': 'x.png', 'caption': 'a dog'}]))
    ds = VideoTextDataset(ann_file=str(path), data_prefix=dict(video='/d'))
    assert ds.get_data_info(0)['modality'] == 'image'
    assert ds.get_data_info(0)['filename'] == '/d/x.png'


def test_jsonl(tmp_path):
    path = _jsonl(tmp_path / 'a.jsonl', [
        {'video': 'arm_wrestling.mp4', 'caption': ['c1', 'c2']}, '',
        {'video': 'eye_makeup.avi', 'caption': 'c3', 'id': 7}
    ])
    ds = VideoTextDataset(ann_file=path, data_prefix=dict(video=DEMO_DIR))
    assert [ds.get_data_info(i)['text'] for i in range(3)] == [
        'c1', 'c2', 'c3'
    ]
    assert ds.get_data_info(2)['video_id'] == '7'


@pytest.mark.parametrize('row, line, field', [
    ('{"video": "a.mp4", "caption": "x"', 2, None),  # malformed JSON
    ({'caption': 'x'}, 2, 'video'),
    ({'video': 'a.mp4'}, 2, 'caption'),
    ({'video': 'a.mp4', 'caption': ''}, 2, 'caption[0]'),
    ({'video': 'a.mp4', 'caption': 3}, 2, 'caption'),
    ({'video': 'a.mp4', 'caption': ['ok', 5]}, 2, 'caption[1]'),
    ({'video': 7, 'caption': 'x'}, 2, 'video'),
    ([1, 2], 2, None),
])
def test_malformed_rows(tmp_path, row, line, field):
    good = {'video': 'arm_wrestling.mp4', 'caption': 'fine'}
    path = _jsonl(tmp_path / 'bad.jsonl', [good, row, good])
    with pytest.raises(ValueError) as e:
        VideoTextDataset(ann_file=path)
    msg = str(e.value)
    assert path in msg and f'line {line}' in msg
    if field is not None:
        assert f'field "{field}"' in msg
    assert isinstance(e.value, AnnotationError)
    ds = VideoTextDataset(ann_file=path, skip_invalid_rows=True)
    assert len(ds) == 2 and ds.num_invalid_rows == 1


def test_malformed_json_file(tmp_path):
    path = tmp_path / 'bad.json'
    path.write_text('[\n{"video": "a.mp4",\n "caption": }\n]')
    with pytest.raises(ValueError, match=r'bad.json, line 3'):
        VideoTextDataset(ann_file=str(path))
    path.write_text('{"videos": []}')
    with pytest.raises(ValueError, match='annotations'):
        VideoTextDataset(ann_file=str(path))


@pytest.fixture
def broken_dir(tmp_path):
    """Demo videos plus a missing, a truncated and a random-bytes video."""
    for name in ('arm_wrestling.mp4', 'basketball_gym.mp4'):
        shutil.copy(osp.join(DEMO_DIR, name), tmp_path / name)
    data = open(osp.join(DEMO_DIR, 'pool_cleaning.mp4'), 'rb').read()
    (tmp_path / 'truncated.mp4').write_bytes(data[:len(data) // 2])
    (tmp_path / 'random.mp4').write_bytes(
        np.random.RandomState(0).bytes(20000))
    rows = [{'video': n, 'caption': f'caption of {n}'} for n in (
        'arm_wrestling.mp4', 'missing.mp4', 'truncated.mp4', 'random.mp4',
        'basketball_gym.mp4')]
    return _jsonl(tmp_path / 'ann.jsonl', rows), str(tmp_path)


@pytest.mark.parametrize('bad_idx, name', [(1, 'missing.mp4'),
                                           (2, 'truncated.mp4'),
                                           (3, 'random.mp4')])
def test_bad_video_skipped_and_replaced(broken_dir, log_messages, bad_idx,
                                        name):
    ann, root = broken_dir
    ds = VideoTextDataset(
        ann_file=ann, data_prefix=dict(video=root),
        pipeline=tiny_pipeline())
    np.random.seed(0)
    data = ds[bad_idx]
    assert data['data_samples'].metainfo['sample_idx'] != bad_idx
    assert data['inputs']['imgs'].shape == (3, 3, 32, 32)
    assert ds.num_skipped >= 1
    skips = [m for m in log_messages if 'skipped sample' in m]
    assert skips and name in skips[0]
    assert f'sample {bad_idx}' in skips[0]
    assert f'{ds.num_skipped} skipped of' in skips[-1]


def test_bad_video_raises_in_test_mode(broken_dir):
    ann, root = broken_dir
    ds = VideoTextDataset(
        ann_file=ann, data_prefix=dict(video=root), test_mode=True,
        pipeline=tiny_pipeline(test_mode=True))
    with pytest.raises(RuntimeError, match='missing.mp4'):
        ds[1]
    assert ds[0]['inputs']['imgs'].shape == (3, 3, 32, 32)


def test_max_skip_ratio(broken_dir):
    ann, root = broken_dir
    ds = VideoTextDataset(
        ann_file=ann, data_prefix=dict(video=root), max_skip_ratio=0.2,
        skip_warmup=5, pipeline=tiny_pipeline())
    np.random.seed(0)
    with pytest.raises(RuntimeError, match='max_skip_ratio=0.2'):
        for i in range(len(ds)):
            ds[i]
    # a wrong data root fails fast and clearly
    ds = VideoTextDataset(
        ann_file=ann, data_prefix=dict(video='/nonexistent'),
        pipeline=tiny_pipeline())
    with pytest.raises(RuntimeError, match='Check data_root'):
        ds[0]
    assert ds.num_attempts == ds.skip_warmup == 50


def test_false_video_is_another_video():
    ds = _demo_dataset(num_false_videos=1, expand_captions=False)
    np.random.seed(0)
    for idx in range(len(ds)):
        data = ds[idx]
        imgs, false = data['inputs']['imgs'], data['inputs']['false_imgs']
        assert false.shape == imgs.shape == (3, 3, 32, 32)
        assert false.dtype == torch.uint8
        assert not torch.equal(imgs, false)
    # the other index is never the sample itself
    assert all(ds._rand_other(2) != 2 for _ in range(50))
    with pytest.raises(ValueError, match='num_false_videos'):
        _demo_dataset(num_false_videos=2)


def test_out_of_range_index_raises_instead_of_refetching():
    """``for sample in dataset`` must end: an out-of-range index is an
    IndexError, not a broken sample to replace."""
    from mmallinone.datasets import VideoTextDataset
    ds = VideoTextDataset(
        ann_file='data/demo/annotations/val_demo.jsonl',
        data_prefix=dict(video='data/demo'), pipeline=[])
    with pytest.raises(IndexError):
        ds[len(ds)]
    assert ds.num_skipped == 0
    assert sum(1 for _ in ds) == len(ds)
