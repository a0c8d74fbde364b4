"""False-video sampling (``num_false_videos=1``): another sample of the
dataset through the same pipeline; broken ones are skipped and redrawn."""
import pytest
from datasets_helpers import ListedDataset

from mmallinone.datasets.base import seeded_sample_rng


def _false_ids(ds, idx, draws=40):
    ids = []
    for seed in range(draws):
        with seeded_sample_rng(seed):
            data = ds.prepare_data(idx)
        assert int(data['inputs']['imgs']) == idx
        ids.append(int(data['inputs']['false_imgs']))
    return ids


def test_false_video_is_another_sample_reproducible_by_seed():
    ds = ListedDataset(5, num_false_videos=1)
    assert set(_false_ids(ds, 2)) == {0, 1, 3, 4}
    assert _false_ids(ds, 2, 8) == _false_ids(ds, 2, 8)
    assert 'false_imgs' not in ListedDataset(5).prepare_data(2)['inputs']


def test_broken_false_videos_are_counted_skips_then_an_error():
    ds = ListedDataset(5, broken=(0, 1), num_false_videos=1, max_refetch=20)
    assert set(_false_ids(ds, 2, 20)) <= {3, 4}
    assert ds.num_skipped > 0
    assert ds.load_counts()['skipped'] == ds.num_skipped
    ds = ListedDataset(3, broken=(0, 1), num_false_videos=1, max_refetch=3,
                       max_skip_ratio=1.0)
    with pytest.raises(RuntimeError, match='no loadable false video after 3'):
        ds.prepare_data(2)


def test_num_false_videos_settings():
    with pytest.raises(ValueError, match='num_false_videos must be 0 or 1'):
        ListedDataset(5, num_false_videos=2)
    with pytest.raises(ValueError, match='needs at least 2 samples'):
        ListedDataset(1, num_false_videos=1)
