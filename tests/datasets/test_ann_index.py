"""Tests of the cached, memory-mapped annotation index (WebVid CSV / TSV)."""
import os
import os.path as osp
import shutil

import numpy as np
import pytest

from datasets_helpers import REPO, TEST_DATA, tiny_pipeline
from mmallinone.datasets import WebVidDataset

DATA = osp.join(REPO, 'data')
CSV = osp.join(TEST_DATA, 'webvid', 'results_2M_train_sample.csv')
TSV = osp.join(TEST_DATA, 'webvid', 'webvid_training_success_full.tsv')


def _infos(ds):
    return [ds.get_data_info(i) for i in range(len(ds))]


def _big_csv(path, rows=2000):
    with open(path, 'w', newline='') as f:
        f.write('videoid,contentUrl,duration,page_dir,name\n')
        for i in range(rows):
            # quoted captions with commas, a newline and non-ASCII text
            extra = ' and a\nnewline' if i % 97 == 0 else ''
            f.write(f'{i},u,PT00H00M{i % 60:02d}S,dir{i % 7},'
                    f'"caption {i}, with a comma{extra} café"\n')


@pytest.mark.parametrize('ann_file,fmt', [(CSV, 'csv'), (TSV, 'authors_tsv')])
def test_index_same_samples_as_plain_parse(tmp_path, ann_file, fmt):
    kwargs = dict(ann_file=ann_file, ann_format=fmt,
                  data_prefix=dict(video=DATA), pipeline=tiny_pipeline())
    plain = WebVidDataset(**kwargs)
    indexed = WebVidDataset(ann_index=str(tmp_path), **kwargs)
    assert indexed._indexed and not plain._indexed
    assert len(indexed) == len(plain) > 0
    assert _infos(indexed) == _infos(plain)
    # the index is memory-mapped, not a list of dicts
    assert indexed.data_list == []
    assert isinstance(indexed.data_bytes, np.memmap)
    # a real sample decodes through the pipeline from the index
    assert indexed[1]['inputs']['imgs'].shape == (3, 3, 32, 32)


def test_index_large_csv_cached_and_rebuilt(tmp_path):
    path = str(tmp_path / 'big.csv')
    _big_csv(path)
    cache = str(tmp_path / 'cache')
    plain = WebVidDataset(ann_file=path)
    first = WebVidDataset(ann_file=path, ann_index=cache)
    assert len(plain) == len(first) == 2000
    assert _infos(first) == _infos(plain)
    assert 'newline' in first.get_data_info(97)['text']
    assert first.get_data_info(-1) == plain.get_data_info(1999)
    folders = os.listdir(cache)
    assert len(folders) == 1
    stamp = os.stat(osp.join(cache, folders[0], 'meta.json')).st_mtime_ns
    # a second dataset reuses the index (no rebuild)
    second = WebVidDataset(ann_file=path, ann_index=cache)
    assert second.ann_index_dir == first.ann_index_dir
    assert os.stat(osp.join(cache, folders[0],
                            'meta.json')).st_mtime_ns == stamp
    # another data_prefix or an edited file gives another index
    WebVidDataset(ann_file=path, ann_index=cache,
                  data_prefix=dict(video='/videos'))
    with open(path, 'a') as f:
        f.write('2000,u,d,p,one more\n')
    grown = WebVidDataset(ann_file=path, ann_index=cache)
    assert len(grown) == 2001
    assert len(os.listdir(cache)) == 3
    # indices (subset) work on the index
    sub = WebVidDataset(ann_file=path, ann_index=cache, indices=[5, 7])
    assert [i['video_id'] for i in _infos(sub)] == ['5', '7']


def test_index_default_folder_next_to_annotation(tmp_path):
    path = str(tmp_path / 'ann.csv')
    shutil.copy(CSV, path)
    ds = WebVidDataset(ann_file=path, ann_index=True)
    assert ds.ann_index_dir.startswith(str(tmp_path / '.mmallinone_index'))
    assert len(ds) == 3


def test_index_malformed_rows_raise_or_skip(tmp_path):
    path = tmp_path / 'bad.csv'
    path.write_text('videoid,contentUrl,duration,page_dir,name\n'
                    '1,u,d,p,fine\n2,u,d,p\n3,u,d,p,\n4,u,d,,x\n')
    cache = tmp_path / 'cache'
    with pytest.raises(ValueError, match=r'bad.csv, line 3.*expected 5'):
        WebVidDataset(ann_file=str(path), ann_index=str(cache))
    # a failed build leaves no index behind
    assert not cache.exists() or not any(
        osp.isfile(osp.join(cache, d, 'meta.json'))
        for d in os.listdir(cache))
    ds = WebVidDataset(
        ann_file=str(path), ann_index=str(cache), skip_invalid_rows=True)
    assert len(ds) == 1 and ds.num_invalid_rows == 3
    # the count is kept when the index is read back
    again = WebVidDataset(
        ann_file=str(path), ann_index=str(cache), skip_invalid_rows=True)
    assert again.num_invalid_rows == 3
    assert again.get_data_info(0)['video_id'] == '1'
