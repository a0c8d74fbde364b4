"""Tests of WebVidDataset (official CSV and the authors' TSV)."""
import os.path as osp

import pytest

from datasets_helpers import REPO, TEST_DATA, tiny_pipeline
from mmallinone.datasets import WebVidDataset
from mmallinone.registry import DATASETS

DATA = osp.join(REPO, 'data')


def test_official_csv():
    ds = DATASETS.build(
        dict(
            type='WebVidDataset',
            ann_file=osp.join(TEST_DATA, 'webvid',
                              'results_2M_train_sample.csv'),
            data_prefix=dict(video=DATA),
            pipeline=tiny_pipeline(test_mode=True)))
    assert len(ds) == 3
    info = ds.get_data_info(0)
    assert info['filename'] == osp.join(DATA, 'demo', 'arm_wrestling.mp4')
    assert info['text'] == 'Two people arm wrestling, across a table'
    assert info['video_id'] == 'arm_wrestling'
    # row 3 names demo/eye_makeup.mp4, which does not exist (it is .avi):
    # in training it is skipped and replaced by another row
    data = ds[2]
    assert data['data_samples'].metainfo['sample_idx'] != 2
    assert ds.num_skipped >= 1
    data = ds[1]
    assert data['inputs']['imgs'].shape == (3, 3, 32, 32)
    assert data['data_samples'].metainfo['text'].startswith('People')


def test_authors_tsv():
    ds = WebVidDataset(
        ann_file=osp.join(TEST_DATA, 'webvid',
                          'webvid_training_success_full.tsv'),
        ann_format='authors_tsv',
        data_prefix=dict(video=DATA),
        pipeline=tiny_pipeline())
    assert len(ds) == 2  # header skipped
    info = ds.get_data_info(1)
    assert info['filename'] == osp.join(DATA, 'demo', 'basketball_gym.mp4')
    assert info['text'] == 'people shooting basketballs'
    assert ds[0]['inputs']['imgs'].shape == (3, 3, 32, 32)


def test_csv_errors(tmp_path):
    path = tmp_path / 'bad.csv'
    path.write_text('videoid,contentUrl,duration,page_dir\n1,u,d,p\n')
    with pytest.raises(ValueError, match=r'bad.csv, line 1, field "name"'):
        WebVidDataset(ann_file=str(path))
    path.write_text('videoid,contentUrl,duration,page_dir,name\n'
                    '1,u,d,p,fine\n2,u,d,p\n3,u,d,p,\n4,u,d,,x\n')
    with pytest.raises(ValueError, match=r'bad.csv, line 3.*expected 5'):
        WebVidDataset(ann_file=str(path))
    ds = WebVidDataset(ann_file=str(path), skip_invalid_rows=True)
    assert len(ds) == 1 and ds.num_invalid_rows == 3
    path.write_text('videoid,contentUrl,duration,page_dir,name\n'
                    '3,u,d,p, \n')
    with pytest.raises(ValueError,
                       match=r'line 2, field "name"\): empty caption'):
        WebVidDataset(ann_file=str(path))


def test_tsv_errors(tmp_path):
    path = tmp_path / 'bad.tsv'
    path.write_text('caption\tvideo\nok\ta/b\nonly one field\n\tc/d\n')
    with pytest.raises(ValueError, match=r'bad.tsv, line 3'):
        WebVidDataset(ann_file=str(path), ann_format='authors_tsv')
    ds = WebVidDataset(
        ann_file=str(path), ann_format='authors_tsv', skip_invalid_rows=True)
    assert len(ds) == 1 and ds.num_invalid_rows == 2
    with pytest.raises(ValueError, match='ann_format'):
        WebVidDataset(ann_file=str(path), ann_format='parquet')
