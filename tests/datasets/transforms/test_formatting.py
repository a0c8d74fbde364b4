"""Tests of PackVideoTextInputs."""
import numpy as np
import pytest
import torch
from mmaction.structures import ActionDataSample

import mmallinone  # noqa: F401
from mmallinone.registry import TRANSFORMS


def _results(s=3, h=8, w=6):
    rng = np.random.RandomState(0)
    imgs = [rng.randint(0, 256, (h, w, 3), dtype=np.uint8) for _ in range(s)]
    return dict(
        imgs=imgs,
        input_ids=np.array([101, 1037, 2158, 102]),
        mlm_input_ids=np.array([101, 103, 2158, 102]),
        mlm_labels=np.array([-100, 1037, -100, -100]),
        text='a man',
        video_id='v0',
        filename='/x/v0.mp4',
        sample_idx=3,
        frame_inds=np.array([1, 5, 9]),
        img_shape=(h, w),
        label=2,
        unrelated='dropped')


def test_pack_shapes_and_dtypes():
    res = _results()
    t = TRANSFORMS.build(
        dict(type='PackVideoTextInputs', algorithm_keys=('label', )))
    out = t(dict(res))
    imgs = out['inputs']['imgs']
    assert imgs.dtype == torch.uint8 and imgs.shape == (3, 3, 8, 6)
    # channel-first frame equals the HWC RGB input
    assert torch.equal(imgs[1], torch.from_numpy(res['imgs'][1]).permute(
        2, 0, 1))
    ds = out['data_samples']
    assert isinstance(ds, ActionDataSample)
    for key in ('input_ids', 'mlm_input_ids', 'mlm_labels'):
        value = out['inputs'][key]  # every model input is in ``inputs``
        assert value.dtype == torch.long and value.shape == (4, )
        assert key not in ds
    assert out['inputs']['mlm_labels'].tolist() == [-100, 1037, -100, -100]
    assert int(ds.label) == 2
    meta = ds.metainfo
    assert meta['text'] == 'a man' and meta['video_id'] == 'v0'
    assert meta['sample_idx'] == 3 and meta['img_shape'] == (8, 6)
    assert 'unrelated' not in meta


def test_pack_without_mlm_and_missing_imgs():
    res = _results()
    del res['mlm_input_ids'], res['mlm_labels']
    out = TRANSFORMS.build(dict(type='PackVideoTextInputs'))(res)
    assert 'mlm_labels' not in out['inputs']
    assert out['inputs']['input_ids'].tolist() == [101, 1037, 2158, 102]
    with pytest.raises(KeyError, match='imgs'):
        TRANSFORMS.build(dict(type='PackVideoTextInputs'))(dict(text='a'))


def test_pack_candidates_as_one_filled_tensor():
    res = _results()
    res['candidate_ids'] = [np.array([101, 5, 102]), np.array([101, 102])]
    out = TRANSFORMS.build(dict(type='PackVideoTextInputs'))(res)
    # (K, L_max) with -1 after each text: pseudo_collate keeps it whole
    assert out['inputs']['candidate_ids'].tolist() == [[101, 5, 102],
                                                       [101, 102, -1]]


def test_pack_views_as_their_own_axis():
    res = _results(s=6)
    res['num_clips'] = 2
    plain = TRANSFORMS.build(dict(type='PackVideoTextInputs'))(dict(res))
    assert plain['inputs']['imgs'].shape == (6, 3, 8, 6)
    views = TRANSFORMS.build(
        dict(type='PackVideoTextInputs', views_key='num_clips'))(dict(res))
    imgs = views['inputs']['imgs']
    assert imgs.shape == (2, 3, 3, 8, 6)
    # view 1 holds frames 3..5 (UniformSample puts the clips one after
    # another)
    assert torch.equal(imgs[1, 0], plain['inputs']['imgs'][3])
    res['num_clips'] = 4
    with pytest.raises(ValueError, match='do not split into 4 views'):
        TRANSFORMS.build(
            dict(type='PackVideoTextInputs', views_key='num_clips'))(res)
