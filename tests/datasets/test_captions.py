"""Caption choice: random in training (reproducible by sample seed), the
first or the centre caption in test mode, with its clip window."""
import pytest
from datasets_helpers import ListedDataset

from mmallinone.datasets.base import seeded_sample_rng

CAPTIONS = ['a', 'b', 'c', 'd', 'e']
WINDOWS = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]


def _pick(ds, n=5):
    info = dict(captions=CAPTIONS[:n], clip_windows=WINDOWS[:n], x=1)
    return ds.select_caption(info)


@pytest.mark.parametrize('test_caption,n,idx', [('first', 5, 0),
                                                ('centre', 5, 2),
                                                ('centre', 4, 1)])
def test_test_mode_caption(test_caption, n, idx):
    ds = ListedDataset(2, test_mode=True, test_caption=test_caption)
    out = _pick(ds, n)
    assert out == dict(x=1, text=CAPTIONS[idx], caption_idx=idx,
                       clip_window=WINDOWS[idx])


def test_training_caption_is_random_and_seeded():
    ds = ListedDataset(2)
    picks = []
    for seed in range(60):
        with seeded_sample_rng(seed):
            picks.append(_pick(ds)['caption_idx'])
    assert set(picks) == set(range(5))
    with seeded_sample_rng(7):
        again = _pick(ds)['caption_idx']
    assert again == picks[7]
    out = _pick(ds)
    assert out['text'] == CAPTIONS[out['caption_idx']]
    assert out['clip_window'] == WINDOWS[out['caption_idx']]
    assert 'captions' not in out and 'clip_windows' not in out


def test_one_text_is_left_alone_and_bad_setting_raises():
    ds = ListedDataset(2)
    assert ds.select_caption(dict(text='only')) == dict(text='only')
    assert ds.prepare_data(1)['inputs']['imgs'].tolist() == [1]
    with pytest.raises(ValueError, match="'first' or 'centre'"):
        ListedDataset(2, test_caption='last')
