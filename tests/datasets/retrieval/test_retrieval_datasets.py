"""Retrieval loaders read fixtures in each benchmark's official format."""
import json
import os.path as osp

import pytest
import torch

import mmallinone  # noqa: F401
from mmallinone.datasets import (ActivityNetRetrievalDataset, AnnotationError,
                                 DiDeMoRetrievalDataset,
                                 LSMDCRetrievalDataset,
                                 MSRVTTRetrievalDataset,
                                 VideoCaptionsRetrievalDataset)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
DATA = osp.join(REPO, 'tests', 'data')
DEMO = osp.join(REPO, 'data', 'demo')

PIPELINE = [
    dict(type='mmaction.DecordInit'),
    dict(type='mmaction.UniformSample', clip_len=2, num_clips=2,
         test_mode=True),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(32, 32), keep_ratio=False),
    dict(type='TokenizeCaptions', max_length=12),
    dict(type='PackRetrievalInputs'),
]


def ids(dataset):
    return [dataset.get_data_info(i)['video_id'] for i in range(len(dataset))]


def msrvtt(**kwargs):
    kwargs.setdefault('ann_file', 'MSRVTT_data.json')
    return MSRVTTRetrievalDataset(
        data_root=osp.join(DATA, 'msrvtt'), data_prefix=dict(video=DEMO),
        **kwargs)


def test_msrvtt_official_json_with_9k_and_7k_lists():
    train = msrvtt(split_file='train_list_jsfusion.txt')
    assert [d['video_id'] for d in train] == [
        'arm_wrestling', 'two_men_greeting_1080p', 'basketball_gym']
    info = train.get_data_info(0)
    assert len(info['captions']) == 2
    # training: one random caption per access, no caption list left
    sample = train[0]
    assert sample['text'] in info['captions'] and 'captions' not in sample
    assert osp.isfile(info['filename'])
    seven = msrvtt(split_file='MSRVTT_train.7k.csv')
    assert len(seven) == 2
    # the authors' COCO-style MSR_VTT.json gives the same captions
    coco = msrvtt(ann_file='MSR_VTT.json',
                  split_file='train_list_jsfusion.txt')
    assert [coco.get_data_info(i)['captions'] for i in range(3)] == \
        [train.get_data_info(i)['captions'] for i in range(3)]
    val = msrvtt(split='validate', test_mode=True)
    assert ids(val) == ['basketball_gym']


def test_msrvtt_jsfusion_test_csv_samples_keep_all_captions():
    test = msrvtt(ann_file='MSRVTT_JSFUSION_test.csv', test_mode=True,
                  pipeline=PIPELINE)
    assert ids(test) == [
        'pool_cleaning', 'basketball_gym']
    out = test[0]
    # 2 views x 2 frames, views as their own axis
    assert out['inputs']['imgs'].shape == (2, 2, 3, 32, 32)
    ds = out['data_samples']
    assert ds.num_clips == 2
    assert ds.text == 'a person cleans a swimming pool with a net'
    captions = out['inputs']['caption_ids']
    assert captions.shape[0] == 1 and captions[0, 0] == 101


def test_msrvtt_unknown_split_video_names_line(tmp_path):
    bad = tmp_path / 'list.txt'
    bad.write_text('arm_wrestling\nvideo9999\n')
    with pytest.raises(AnnotationError, match=r'list.txt, line 2, '
                       r'field "video_id"'):
        msrvtt(split_file=str(bad))


def test_didemo_paragraphs_joined_per_video():
    ds = DiDeMoRetrievalDataset(
        ann_file=osp.join(DATA, 'didemo', 'train_data.json'),
        data_prefix=dict(video=DEMO), video_ext='.mp4', test_mode=True,
        pipeline=PIPELINE)
    assert len(ds) == 2
    info = ds.get_data_info(0)
    assert info['captions'] == [
        'two people sit at a table. they start arm wrestling.']
    assert ds.get_data_info(1)['filename'].endswith('basketball_gym.mp4')
    assert ds[1]['inputs']['imgs'].shape[:2] == (2, 2)


def test_didemo_malformed_times(tmp_path):
    rows = json.load(open(osp.join(DATA, 'didemo', 'train_data.json')))
    rows[1]['times'] = 'late'
    bad = tmp_path / 'val_data.json'
    bad.write_text(json.dumps(rows))
    with pytest.raises(AnnotationError, match=r'row 1, field "times"'):
        DiDeMoRetrievalDataset(ann_file=str(bad))


def test_activitynet_paragraph_and_extension_probe():
    root = osp.join(DATA, 'activitynet')
    ds = ActivityNetRetrievalDataset(
        ann_file=osp.join(root, 'train.json'),
        data_prefix=dict(video=osp.join(root, 'videos')), test_mode=True,
        pipeline=PIPELINE)
    a, b = ds.get_data_info(0), ds.get_data_info(1)
    assert a['captions'] == [
        'Two people sit down at a table. They arm wrestle and one of them '
        'wins.']
    assert a['filename'].endswith('v_arm_wrestling.mp4')
    assert b['filename'].endswith('v_eye_makeup.mkv')
    assert ds[1]['inputs']['imgs'].dtype == torch.uint8


def test_activitynet_sentence_timestamp_mismatch(tmp_path):
    bad = tmp_path / 'val_1.json'
    bad.write_text(json.dumps({'v_x': dict(duration=3, timestamps=[[0, 1]],
                                           sentences=['a', 'b'])}))
    with pytest.raises(AnnotationError, match='field "timestamps"'):
        ActivityNetRetrievalDataset(ann_file=str(bad))


def test_lsmdc_uses_sentence_and_movie_folder():
    root = osp.join(DATA, 'lsmdc')
    ds = LSMDCRetrievalDataset(
        ann_file=osp.join(root, 'LSMDC16_annos_training.csv'),
        data_prefix=dict(video=osp.join(root, 'videos')), test_mode=True,
        pipeline=PIPELINE)
    info = ds.get_data_info(0)
    assert info['captions'] == ['SOMEONE brushes makeup onto her eyelid.']
    assert info['filename'].endswith(
        '0001_Demo_Movie/0001_Demo_Movie_00.00.01.000-00.00.03.000.avi')
    assert osp.isfile(info['filename'])
    assert ds[1]['data_samples'].text.startswith('Someone skims')


def test_lsmdc_malformed_rows(tmp_path):
    bad = tmp_path / 'LSMDC16_annos_val.csv'
    bad.write_text('0001_M_00.00.01.000-00.00.02.000\tnoon\t00.00.02.000\t'
                   '0\t1\tA sentence.\n')
    with pytest.raises(AnnotationError, match=r'line 1, field "start"'):
        LSMDCRetrievalDataset(ann_file=str(bad))
    bad.write_text('0001_M_00.00.01.000-00.00.02.000\t1\t2\n')
    with pytest.raises(AnnotationError, match='line 1'):
        LSMDCRetrievalDataset(ann_file=str(bad))


def test_demo_captions_json_keeps_both_captions():
    ds = VideoCaptionsRetrievalDataset(
        ann_file=osp.join(DEMO, 'captions.json'),
        data_prefix=dict(video=DEMO), test_mode=True, pipeline=PIPELINE)
    assert len(ds) == 5
    out = ds[4]
    assert out['data_samples'].video_id == 'eye_makeup'
    assert out['inputs']['caption_ids'].shape[0] == 2
