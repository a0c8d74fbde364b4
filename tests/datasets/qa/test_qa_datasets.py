"""QA / multiple-choice loaders on fixtures in each official format."""
import json
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

import mmallinone  # noqa: F401
from mmallinone.datasets import AnnotationError
from mmallinone.registry import DATASETS
from mmallinone.structures import unpack_token_ids

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
DATA = osp.join(REPO, 'tests', 'data')
DEMO_MSRVTT = osp.join(REPO, 'data', 'demo', 'msrvtt', 'videos', 'all')
DEMO = osp.join(REPO, 'data', 'demo')


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmallinone')


def _pipeline(init='mmaction.DecordInit', decode='mmaction.DecordDecode',
              window=False, candidates=False, prefix=None, max_length=40):
    p = [] if init is None else [dict(type=init)]
    if window:
        p.append(dict(type='RestrictToFrameWindow'))
    p += [
        dict(type='mmaction.UniformSample', clip_len=2, num_clips=1,
             test_mode=True),
        dict(type=decode),
        dict(type='mmaction.Resize', scale=(32, 32), keep_ratio=False),
    ]
    if candidates:
        p.append(dict(type='TokenizeCandidates', prefix_key=prefix,
                      max_length=max_length))
    else:
        p.append(dict(type='TokenizeText'))
    p.append(dict(type='PackVideoTextInputs',
                  meta_keys=('video_id', 'question', 'answer', 'text')))
    return p


def _build(**cfg):
    cfg.setdefault('test_mode', True)
    return DATASETS.build(cfg)


def test_msrvtt_qa_official_json_and_oov():
    ds = _build(
        type='MSRVTTQADataset', data_root=osp.join(DATA, 'msrvtt_qa'),
        ann_file='train_qa.json', answer_vocab='answer_vocab.json',
        data_prefix=dict(video=DEMO_MSRVTT), pipeline=_pipeline())
    assert len(ds) == 3 and ds.num_answers == 2
    info = ds.get_data_info(1)
    assert info['filename'] == osp.join(DEMO_MSRVTT, 'video2.mp4')
    assert (info['answer'], info['label']) == ('basketball', 1)
    assert ds.get_data_info(2)['label'] == -100  # 'two' is OOV
    assert ds.num_oov == 1
    out = ds[0]
    assert out['inputs']['imgs'].shape == (2, 3, 32, 32)
    assert int(out['data_samples'].gt_label) == 0
    assert out['inputs']['input_ids'][0] == 101


def test_msrvtt_qa_malformed_row_names_field(tmp_path):
    f = tmp_path / 'bad.json'
    f.write_text(json.dumps([{'question': 'q?', 'video_id': 1}]))
    with pytest.raises(AnnotationError, match=r'bad.json, row 0, field '
                       r'"answer"'):
        _build(type='MSRVTTQADataset', ann_file=str(f))


def test_msvd_qa_mapping_and_txt_vocab(tmp_path):
    root = osp.join(DATA, 'msvd_qa')
    ds = _build(
        type='MSVDQADataset', data_root=root, ann_file='train_qa.json',
        answer_vocab='answer_set.txt', video_ext='.mp4',
        data_prefix=dict(video=DEMO), pipeline=_pipeline())
    assert [ds.get_data_info(i)['video_id'] for i in range(2)] == [
        'two_men_greeting_1080p', 'pool_cleaning']
    assert [ds.get_data_info(i)['label'] for i in range(2)] == [1, 0]
    assert ds[1]['inputs']['imgs'].shape == (2, 3, 32, 32)
    bad = tmp_path / 'qa.json'
    bad.write_text(json.dumps([{'answer': 'a', 'question': 'q',
                                'video_id': 9}]))
    with pytest.raises(AnnotationError, match='vid9'):
        _build(type='MSVDQADataset', ann_file=str(bad),
               mapping_file=osp.join(root, 'youtube_mapping.txt'))


def test_tgif_frameqa_gif_decoding():
    import decord
    gif = osp.join(DATA, 'tgif', 'gifs', 'tumblr_demo_basketball.gif')
    with pytest.raises(Exception):  # why GifInit exists
        decord.VideoReader(gif)
    ds = _build(
        type='TGIFFrameQADataset', data_root=osp.join(DATA, 'tgif'),
        ann_file='Train_frameqa_question.csv',
        answer_vocab='answer_vocab.json', data_prefix=dict(video='gifs'),
        pipeline=_pipeline('GifInit', 'GifDecode'))
    assert len(ds) == 2
    assert ds.get_data_info(0)['filename'] == gif
    assert [ds.get_data_info(i)['label'] for i in range(2)] == [0, -100]
    out = ds[0]
    imgs = out['inputs']['imgs']
    assert imgs.shape == (2, 3, 32, 32) and imgs.dtype == torch.uint8
    assert imgs.float().std() > 1  # real content, not a blank frame
    # uniform sampling at eval is deterministic
    assert torch.equal(ds[0]['inputs']['imgs'], imgs)


def test_tgif_action_candidates_with_question():
    ds = _build(
        type='TGIFMultipleChoiceDataset', data_root=osp.join(DATA, 'tgif'),
        ann_file='Train_action_question.csv', data_prefix=dict(video='gifs'),
        num_candidates=5,
        pipeline=_pipeline('GifInit', 'GifDecode', candidates=True,
                           prefix='question'))
    info = ds.get_data_info(0)
    assert info['candidates'][1] == 'shoot the ball' and info['label'] == 1
    out = ds[0]
    sample = out['data_samples']
    cands = unpack_token_ids(out['inputs']['candidate_ids'])
    assert len(cands) == 5
    ids = cands[1].tolist()
    # [CLS] question [SEP] answer [SEP]
    assert ids[0] == 101 and ids[-1] == 102 and ids.count(102) == 2
    assert int(sample.gt_label) == 1


def test_tvqa_window_show_dirs_and_subtitles():
    root = osp.join(DATA, 'tvqa')
    ds = _build(
        type='TVQADataset', data_root=root, ann_file='tvqa_train.jsonl',
        data_prefix=dict(video='frames_hq'),
        pipeline=_pipeline(None, 'mmaction.RawFrameDecode',
                           candidates=True, prefix='question'))
    assert ds.get_data_info(0)['filename'].endswith(
        osp.join('bbt_frames', 's01e02_seg02_clip_17'))
    assert ds.get_data_info(1)['filename'].endswith(
        osp.join('friends_frames', 'friends_s01e01_seg02_clip_00'))
    info = ds.load_sample_annotation(ds.get_data_info(0))
    # ts 2.0-6.5 at 3 fps -> frames 6..19 (1-based)
    assert (info['start_index'], info['total_frames']) == (6, 14)
    info = ds.load_sample_annotation(ds.get_data_info(1))
    assert (info['start_index'], info['total_frames']) == (1, 6)  # NaN ts
    out = ds[0]
    assert out['inputs']['imgs'].shape == (2, 3, 32, 32)
    assert int(out['data_samples'].gt_label) == 0
    frames = out['data_samples'].metainfo
    assert 'question' in frames
    with_subs = _build(
        type='TVQADataset', data_root=root, ann_file='tvqa_train.jsonl',
        subtitle_file='tvqa_preprocessed_subtitles.jsonl')
    assert 'Nice shot.' in with_subs.get_data_info(0)['question']
    assert '<eos>' not in with_subs.get_data_info(0)['question']


def test_tvqa_rgb_frames():
    """RawFrameDecode yields RGB (the authors read BGR)."""
    import mmcv
    root = osp.join(DATA, 'tvqa')
    frame = osp.join(root, 'frames_hq', 'bbt_frames',
                     's01e02_seg02_clip_17', '00006.jpg')
    ds = _build(
        type='TVQADataset', data_root=root, ann_file='tvqa_train.jsonl',
        data_prefix=dict(video='frames_hq'),
        pipeline=[dict(type='mmaction.UniformSample', clip_len=1,
                       num_clips=1, test_mode=True),
                  dict(type='mmaction.RawFrameDecode')])
    info = ds.load_sample_annotation(ds.get_data_info(0))
    info['total_frames'] = 1
    out = ds.pipeline(info)
    rgb = mmcv.imread(frame, channel_order='rgb')
    assert np.array_equal(out['imgs'][0], rgb)


def test_msrvtt_mc_jsonl():
    ds = _build(
        type='MSRVTTMCDataset', data_root=osp.join(DATA, 'msrvtt_mc'),
        ann_file='msrvtt_mc_test.jsonl', num_candidates=5,
        data_prefix=dict(video=DEMO_MSRVTT),
        pipeline=_pipeline(candidates=True))
    assert len(ds) == 2
    assert ds.get_data_info(0)['label'] == 1
    assert ds.get_data_info(0)['text'] == \
        'two people arm wrestling across a table'
    out = ds[1]
    assert out['inputs']['candidate_ids'].shape[0] == 5
    assert int(out['data_samples'].gt_label) == 0


def test_lsmdc_mc_tsv_one_based_answer(tmp_path):
    root = osp.join(DATA, 'lsmdc_mc')
    ds = _build(
        type='LSMDCMCDataset', data_root=root,
        ann_file='LSMDC16_multiple_choice_test_randomized.csv',
        data_prefix=dict(video='videos'), pipeline=_pipeline(candidates=True))
    info = ds.get_data_info(0)
    assert info['label'] == 4  # column 10 = 5 (1-based)
    assert info['filename'] == osp.join(
        root, 'videos', '3001_21_JUMP_STREET',
        '3001_21_JUMP_STREET_00.00.31.173-00.00.38.493.avi')
    assert ds[0]['inputs']['imgs'].shape == (2, 3, 32, 32)
    bad = tmp_path / 'bad.csv'
    bad.write_text('\t'.join(['c_00.00.01.000-00.00.02.000'] + ['x'] * 9 +
                             ['7']) + '\n')
    with pytest.raises(AnnotationError, match=r'line 1, field "column 10'):
        _build(type='LSMDCMCDataset', ann_file=str(bad))


def test_ego4d_mc_literal_eval_and_window(tmp_path):
    root = osp.join(DATA, 'ego4d_mc')
    ds = _build(
        type='Ego4DMCDataset', data_root=root, ann_file='mc_val.csv',
        data_prefix=dict(video='videos'), num_candidates=4,
        pipeline=_pipeline(window=True, candidates=True))
    info = ds.get_data_info(0)
    assert info['label'] == 1 and len(info['candidates']) == 4
    assert info['frame_window'] == (90, 210)
    out = ds[0]
    # the 2 uniform frames lie in [90, 210) of the 280-frame video
    assert out['inputs']['imgs'].shape == (2, 3, 32, 32)
    bad = tmp_path / 'mc.csv'
    bad.write_text('question,answers\n"__import__(\'os\')","[]"\n')
    with pytest.raises(AnnotationError, match='field "question"'):
        _build(type='Ego4DMCDataset', ann_file=str(bad))


def test_frame_window_transform():
    from mmallinone.datasets import RestrictToFrameWindow
    out = RestrictToFrameWindow()(dict(total_frames=100, start_index=0,
                                       frame_window=(90, 210)))
    assert (out['start_index'], out['total_frames']) == (90, 10)
