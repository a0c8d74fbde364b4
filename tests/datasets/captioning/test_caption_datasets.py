"""Captioning loaders on tiny fixtures in the official formats."""
import os.path as osp

import pytest

from mmallinone.datasets import (AnnotationError, MSRVTTCaptionDataset,
                                 MSVDCaptionDataset, VideoCaptionDataset,
                                 YouCook2CaptionDataset)

from datasets_helpers import DEMO_DIR, TEST_DATA

CAP = osp.join(TEST_DATA, 'captioning')


def test_msrvtt_splits_and_references():
    root = osp.join(CAP, 'msrvtt')
    train = MSRVTTCaptionDataset(
        'train_val_videodatainfo.json', split='train', data_root=root,
        data_prefix=dict(video='videos/all'))
    # training: one sample per (video, caption)
    assert len(train) == 4
    info = train.get_data_info(1)
    assert info['video_id'] == 'video0' and info['text'] == \
        'a man arm wrestles a woman'
    assert info['filename'] == osp.join(root, 'videos/all/video0.mp4')
    assert 'gt_captions' not in info
    test = MSRVTTCaptionDataset(
        'train_val_videodatainfo.json', split='test', data_root=root,
        test_mode=True)
    assert [test.get_data_info(i)['video_id'] for i in range(2)] == \
        ['video3', 'video4']
    info = test.get_data_info(0)
    assert info['gt_captions'] == ['a person cleans a swimming pool',
                                   'someone skims a blue pool with a net']
    assert info['eval_id'] == 'video3'
    val = MSRVTTCaptionDataset('train_val_videodatainfo.json',
                               split='validate', data_root=root,
                               test_mode=True)
    assert len(val) == 1
    with pytest.raises(ValueError, match='split'):
        MSRVTTCaptionDataset('x.json', split='val')


def test_msrvtt_malformed_row_names_file_and_row():
    root = osp.join(CAP, 'msrvtt')
    with pytest.raises(AnnotationError) as e:
        MSRVTTCaptionDataset('bad_videodatainfo.json', split='train',
                             data_root=root)
    msg = str(e.value)
    assert 'bad_videodatainfo.json' in msg and 'sentences[3]' in msg
    assert 'caption' in msg
    ds = MSRVTTCaptionDataset('bad_videodatainfo.json', split='train',
                              data_root=root, skip_invalid_rows=True)
    assert len(ds) == 3 and ds.num_invalid_rows == 1


def test_msvd_txt_and_csv_with_split_ranges():
    root = osp.join(CAP, 'msvd')
    ranges = dict(train=(1, 2), val=(3, 3), test=(4, 4))
    train = MSVDCaptionDataset('AllVideoDescriptions.txt', split='train',
                               split_ranges=ranges, data_root=root,
                               data_prefix=dict(video='YouTubeClips'))
    assert len(train) == 3  # 2 + 1 descriptions of vid1, vid2
    assert train.get_data_info(0)['filename'] == osp.join(
        root, 'YouTubeClips', '-4wsuPCjDBc_5_15.avi')
    val = MSVDCaptionDataset('AllVideoDescriptions.txt', split='val',
                             split_ranges=ranges, data_root=root,
                             test_mode=True)
    assert len(val) == 1
    assert val.get_data_info(0)['gt_captions'] == [
        'people shooting basketballs in a gym',
        'players practice basketball shots']
    csv = MSVDCaptionDataset('video_corpus.csv', split='train',
                             split_ranges=ranges, data_root=root,
                             test_mode=True)
    # the German row is dropped
    assert csv.get_data_info(0)['gt_captions'] == [
        'two people arm wrestling across a table']
    assert MSVDCaptionDataset.SPLIT_RANGES == dict(
        train=(1, 1200), val=(1201, 1300), test=(1301, 1970))


def test_msvd_malformed_line_names_file_and_line():
    root = osp.join(CAP, 'msvd')
    with pytest.raises(AnnotationError,
                       match=r'bad_descriptions\.txt, line 3'):
        MSVDCaptionDataset('bad_descriptions.txt', split='train',
                           data_root=root)


def test_youcook2_segments_windows_and_extension():
    root = osp.join(CAP, 'youcook2')
    test = YouCook2CaptionDataset(
        'youcookii_annotations_trainval.json', subset='validation',
        data_root=root, data_prefix=dict(video='raw_videos'),
        test_mode=True)
    assert len(test) == 2
    info = test.get_data_info(1)
    assert info['clip_window'] == (4.0, 9.0)
    assert info['eval_id'] == 'vYc2a_1'
    assert info['gt_captions'] == ['they arm wrestle']
    train = YouCook2CaptionDataset(
        'youcookii_annotations_trainval.json', subset='training',
        data_root=root, data_prefix=dict(video='raw_videos'))
    info = train.load_sample_annotation(train.get_data_info(0))
    assert info['filename'].endswith('training/201/vYc2b.mkv')
    with pytest.raises(AnnotationError, match=r'bad_annotations\.json.*'
                       r'annotations\[1\].*segment'):
        YouCook2CaptionDataset('bad_annotations.json', subset='training',
                               data_root=root)


def test_youcook2_pipeline_decodes_the_segment_window():
    root = osp.join(CAP, 'youcook2')
    pipeline = [
        dict(type='SafeDecordInit'), dict(type='RestrictToClipWindow'),
        dict(type='mmaction.UniformSample', clip_len=2, num_clips=1,
             test_mode=True),
        dict(type='mmaction.DecordDecode'),
        dict(type='mmaction.Resize', scale=(32, 32), keep_ratio=False),
        dict(type='PackVideoTextInputs',
             meta_keys=('video_id', 'eval_id', 'gt_captions')),
    ]
    ds = YouCook2CaptionDataset(
        'youcookii_annotations_trainval.json', subset='validation',
        data_root=root, data_prefix=dict(video='raw_videos'),
        pipeline=pipeline, test_mode=True)
    out = ds[1]
    assert tuple(out['inputs']['imgs'].shape) == (2, 3, 32, 32)
    assert out['data_samples'].gt_captions == ['they arm wrestle']
    assert out['data_samples'].eval_id == 'vYc2a_1'


def test_generic_demo_captions():
    ds = VideoCaptionDataset(
        osp.join(DEMO_DIR, 'annotations', 'pretrain_demo.jsonl'),
        data_prefix=dict(video=DEMO_DIR), test_mode=True)
    assert len(ds) == 5
    info = ds.get_data_info(0)
    assert info['video_id'] == 'arm_wrestling'
    assert len(info['gt_captions']) == 2
    train = VideoCaptionDataset(
        osp.join(DEMO_DIR, 'annotations', 'pretrain_demo.jsonl'),
        data_prefix=dict(video=DEMO_DIR))
    assert len(train) == 10
