"""VCR: loader (good and malformed rows), entity marking, PNG, texts.

Fixture ``tests/data/vcr``: frame 140 of the shared ``arm_wrestling.mp4``
(decord, saved as JPEG) with 5 hand-annotated objects in VCR's format
(``vcr1images/demo/arm_wrestling_140.{jpg,json}``) and 3 questions
(``train.jsonl`` = ``val.jsonl`` with other ids).
"""
import copy
import json
import os.path as osp
import shutil

import mmcv
import numpy as np
import pytest

from mmallinone.datasets import AnnotationError, VCRDataset
from mmallinone.datasets.transforms import VCRMarkEntities
from mmallinone.datasets.transforms.vcr import VCR_PALETTE
from mmallinone.registry import DATASETS
from mmallinone.structures import unpack_token_ids

ROOT = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'data',
                'vcr')
IMG = osp.join(ROOT, 'vcr1images', 'demo', 'arm_wrestling_140.jpg')
TOK = dict(type='BertWordPieceTokenizer')


def _rows():
    with open(osp.join(ROOT, 'val.jsonl')) as f:
        return [json.loads(line) for line in f if line.strip()]


def _write(tmp_path, rows, name='val.jsonl'):
    path = tmp_path / name
    path.write_text(''.join(json.dumps(r) + '\n' for r in rows))
    return str(path)


def _dataset(ann_file=None, pipeline=(), **kwargs):
    kwargs.setdefault('data_prefix', dict(img=osp.join(ROOT, 'vcr1images')))
    return VCRDataset(
        ann_file=ann_file or osp.join(ROOT, 'val.jsonl'),
        pipeline=list(pipeline), **kwargs)


def _pipeline(**mark):
    return [
        dict(type='LoadImageAsClip'),
        dict(type='VCRMarkEntities', **mark),
        dict(type='TokenizeCandidates', tokenizer=TOK, prefix_key='question'),
        dict(type='TokenizeCandidates', tokenizer=TOK, prefix_key='qa_prefix',
             candidates_key='rationale_candidates',
             output_key='rationale_ids'),
        dict(type='PackVCRInputs'),
    ]


def test_loader_reads_official_fields():
    ds = DATASETS.build(
        dict(type='VCRDataset', data_root=ROOT, ann_file='val.jsonl',
             test_mode=True))
    assert len(ds) == 3
    info = ds.get_data_info(1)
    assert info['filename'] == osp.join(ROOT, 'vcr1images',
                                        'demo/arm_wrestling_140.jpg')
    assert info['metadata_file'].endswith('demo/arm_wrestling_140.json')
    assert info['annot_id'] == 'val-1'
    assert info['objects'][2] == 'bottle'
    assert info['question_tokens'] == ['What', 'is', 'behind', [1], '?']
    assert len(info['answer_tokens']) == len(info['rationale_tokens']) == 4
    assert (info['answer_label'], info['rationale_label']) == (2, 0)
    assert info['label'] == 2
    # metadata is read when the sample is loaded
    full = ds.load_sample_annotation(copy.deepcopy(info))
    assert full['boxes'].shape == (5, 4)
    np.testing.assert_allclose(full['boxes'][2], [258, 56, 292, 130])
    assert len(full['segms'][1]) == 1 and full['segms'][3] == []
    assert full['meta_size'] == (340.0, 256.0)


def _mutations():
    """(description, mutate(row), expected line, expected field)."""
    return [
        ('missing img_fn', lambda r: r.pop('img_fn'), 'img_fn'),
        ('objects not a list', lambda r: r.update(objects='person'),
         'objects'),
        ('empty object name', lambda r: r['objects'].__setitem__(1, ''),
         'objects[1]'),
        ('missing question', lambda r: r.pop('question'), 'question'),
        ('object index out of range',
         lambda r: r['question'].__setitem__(2, [0, 7]), 'question[2]'),
        ('bad token', lambda r: r['question'].__setitem__(0, 3.5),
         'question[0]'),
        ('three answers', lambda r: r['answer_choices'].pop(),
         'answer_choices'),
        ('empty rationale', lambda r: r['rationale_choices'].__setitem__(
            2, []), 'rationale_choices[2]'),
        ('answer_label out of range', lambda r: r.update(answer_label=4),
         'answer_label'),
        ('rationale_label a string',
         lambda r: r.update(rationale_label='1'), 'rationale_label'),
        ('missing rationale_label', lambda r: r.pop('rationale_label'),
         'rationale_label'),
    ]


@pytest.mark.parametrize('desc,mutate,field', _mutations(),
                         ids=[m[0] for m in _mutations()])
def test_malformed_row_names_file_line_field(tmp_path, desc, mutate, field):
    rows = _rows()
    mutate(rows[1])  # line 2
    path = _write(tmp_path, rows)
    with pytest.raises(AnnotationError) as err:
        _dataset(path)
    msg = str(err.value)
    assert path in msg and 'line 2' in msg and f'field "{field}"' in msg, msg


def test_malformed_json_line_and_skip_mode(tmp_path, log_messages):
    rows = _rows()
    path = tmp_path / 'val.jsonl'
    lines = [json.dumps(r) for r in rows]
    lines[2] = lines[2][:-5]  # truncated line 3
    path.write_text('\n'.join(lines) + '\n')
    with pytest.raises(AnnotationError, match=r'line 3.*malformed JSON'):
        _dataset(str(path))
    rows[0]['answer_label'] = 9
    path2 = _write(tmp_path, rows, 'skip.jsonl')
    ds = _dataset(path2, skip_invalid_rows=True)
    assert len(ds) == 2 and ds.num_invalid_rows == 1
    assert any('line 1' in m and 'answer_label' in m for m in log_messages)


def test_unlabelled_test_split(tmp_path):
    rows = _rows()
    for r in rows:
        r.pop('answer_label')
        r.pop('rationale_label')
    path = _write(tmp_path, rows, 'test.jsonl')
    with pytest.raises(AnnotationError, match='answer_label'):
        _dataset(path)
    ds = _dataset(path, require_labels=False, test_mode=True,
                  pipeline=_pipeline())
    sample = ds[0]['data_samples']
    assert int(sample.rationale_label) == -1
    # no right answer: the QA->R prefix is the question alone
    assert sample.qa_prefix == sample.question


def _copy_images(tmp_path):
    img_dir = tmp_path / 'vcr1images'
    shutil.copytree(osp.join(ROOT, 'vcr1images'), img_dir)
    return img_dir


def test_malformed_metadata(tmp_path, log_messages):
    img_dir = _copy_images(tmp_path)
    meta_path = img_dir / 'demo' / 'arm_wrestling_140.json'
    meta = json.loads(meta_path.read_text())
    meta['boxes'][2] = [258, 56, 250, 130, 0.9]  # x2 < x1
    meta_path.write_text(json.dumps(meta))
    kwargs = dict(data_prefix=dict(img=str(img_dir)))
    # checked at construction: file, line and field
    with pytest.raises(AnnotationError,
                       match=r'val\.jsonl, line 1, field "boxes\[2\]"'):
        _dataset(check_metadata=True, **kwargs)
    # test mode: loading the sample fails naming the metadata file
    ds = _dataset(test_mode=True, pipeline=_pipeline(), **kwargs)
    with pytest.raises(RuntimeError) as err:
        ds[0]
    assert 'arm_wrestling_140.json' in str(err.value)
    assert 'boxes[2]' in str(err.value)
    # training: skipped, logged and counted (then refetching fails too)
    ds = _dataset(pipeline=_pipeline(), max_refetch=2, **kwargs)
    with pytest.raises(Exception):
        ds[0]
    assert ds.num_skipped >= 1
    assert any('skipped sample' in m and 'boxes[2]' in m
               for m in log_messages)
    # a missing metadata file
    meta_path.unlink()
    with pytest.raises(AnnotationError, match='metadata file not found'):
        _dataset(check_metadata=True, **kwargs)


def test_texts_reference_tags_and_candidates():
    ds = _dataset(test_mode=True, pipeline=_pipeline())
    s = ds[0]['data_samples']
    assert s.question == 'What are person 1 and person 2 doing ?'
    assert s.candidates[0] == ('person 1 and person 2 are arm wrestling '
                               'across the table .')
    # QA->R prefix = question + the right answer (answer_label 0)
    assert s.qa_prefix == f'{s.question} {s.candidates[0]}'
    # k = order of first mention: diningtable (rationale 1) before bottle
    assert 'elbows on diningtable 3 .' in s.rationale_candidates[1]
    assert s.rationale_candidates[2] == 'There is a bottle 4 so they are ' \
        'thirsty .'
    assert [e['index'] for e in s.vcr_entities] == [0, 1, 3, 2]
    assert [e['colour'] for e in s.vcr_entities] == [
        'red', 'green', 'blue', 'yellow']
    # 4 Q->A and 4 QA->R token sequences: [CLS] prefix [SEP] cand [SEP]
    inputs = ds[0]['inputs']
    answers = unpack_token_ids(inputs['candidate_ids'])
    rationales = unpack_token_ids(inputs['rationale_ids'])
    assert len(answers) == len(rationales) == 4
    for ids in answers + rationales:
        assert ids[0] == 101 and ids[-1] == 102 and (ids == 102).sum() == 2
    assert int(s.gt_label) == 0 and int(s.rationale_label) == 1
    assert ds[0]['inputs']['imgs'].shape == (1, 3, 256, 340)


def test_text_styles_colour_and_person_name():
    info = _dataset(test_mode=True).get_data_info(0)
    info['imgs'] = [np.zeros((256, 340, 3), np.uint8)]
    info['boxes'] = np.zeros((5, 4), np.float32)
    out = VCRMarkEntities(text_style='colour').transform(copy.deepcopy(info))
    assert out['question'] == 'What are red person and green person doing ?'
    out = VCRMarkEntities(text_style='person_name').transform(
        copy.deepcopy(info))
    assert out['question'] == 'What are Casey and Riley doing ?'
    assert 'a yellow bottle so' in out['rationale_candidates'][2]


def _orig_rgb():
    return mmcv.imread(IMG, channel_order='rgb').astype(np.float64)


def _tinted(orig, rgb, alpha=0.3):
    return (1 - alpha) * orig + alpha * np.asarray(rgb, np.float64)


def test_mark_writes_png_with_colours_at_boxes(tmp_path):
    """The PNG has each entity's colour on its box outline, tinted mask."""
    vis = tmp_path / 'vis'
    ds = _dataset(test_mode=True,
                  pipeline=_pipeline(mode='mask', vis_dir=str(vis)))
    ds[0]
    png = vis / 'val-0.png'
    assert png.is_file()
    out = mmcv.imread(str(png), channel_order='rgb').astype(np.float64)
    orig = _orig_rgb()
    assert out.shape == orig.shape
    colours = dict(VCR_PALETTE)
    # bottle (object 2, 4th mentioned: yellow), box [258, 56, 292, 130]
    # drawn last: its outline is exactly yellow
    for x, y in [(275, 56), (258, 90), (292, 100), (270, 130)]:
        np.testing.assert_array_equal(out[y, x], colours['yellow'])
    # inside its polygon and no other object's: tinted 0.3 towards yellow
    np.testing.assert_allclose(
        out[65, 275], _tinted(orig[65, 275], colours['yellow']), atol=1.01)
    # person 1 (object 0, red): outline at its box's top edge; a pixel of
    # its polygon only (left of person 2 / the table)
    np.testing.assert_array_equal(out[2, 50], colours['red'])
    np.testing.assert_allclose(
        out[100, 30], _tinted(orig[100, 30], colours['red']), atol=1.01)
    # the table (object 3, blue) has no polygon: its box is tinted; a pixel
    # of person 1's polygon too is tinted twice (red, then blue on top)
    twice = _tinted(_tinted(orig[200, 60], colours['red']), colours['blue'])
    np.testing.assert_allclose(out[200, 60], twice, atol=1.51)
    # object 4 (a person nobody mentions) is not drawn: its box interior
    # outside every drawn object is unchanged
    np.testing.assert_allclose(out[20, 240], orig[20, 240], atol=1.01)


def test_box_mode_and_draw_all(tmp_path):
    """mode='box' tints the whole box; draw_all adds unmentioned objects."""
    vis = tmp_path / 'vis'
    ds = _dataset(test_mode=True,
                  pipeline=_pipeline(mode='box', draw_all=True,
                                     thickness=1, vis_dir=str(vis),
                                     max_vis=1))
    ds[0]
    ds[1]
    assert sorted(p.name for p in vis.iterdir()) == ['val-0.png']
    out = mmcv.imread(str(vis / 'val-0.png'),
                      channel_order='rgb').astype(np.float64)
    orig = _orig_rgb()
    colours = dict(VCR_PALETTE)
    # object 4 is the 5th entity with draw_all: orange box outline
    np.testing.assert_array_equal(out[0, 230], colours['orange'])
    # bottle: a box-corner pixel outside the bottle polygon is tinted too
    # (on top of person 2's box tint)
    expected = _tinted(_tinted(orig[60, 290], colours['green']),
                       colours['yellow'])
    np.testing.assert_allclose(out[60, 290], expected, atol=1.51)


def test_boxes_rescaled_when_image_is_resized(tmp_path):
    """Metadata in original pixels, a smaller decoded image: boxes scale."""
    info = _dataset(test_mode=True).get_data_info(0)
    info['imgs'] = [np.zeros((128, 170, 3), np.uint8)]
    info['boxes'] = np.array([[0, 0, 10, 10], [0, 0, 10, 10],
                              [258, 56, 292, 130], [0, 0, 1, 1],
                              [0, 0, 1, 1]], np.float32)
    info['meta_size'] = (340.0, 256.0)
    out = VCRMarkEntities(mode='box', alpha=1.0, thickness=0).transform(info)
    img = out['imgs'][0]
    assert tuple(img[45, 137]) == dict(VCR_PALETTE)['yellow']  # (275, 90)/2
    assert tuple(img[45, 100]) == (0, 0, 0)


def test_tokenize_candidates_output_key_and_long_candidate():
    """A candidate longer than max_length alone: both sides are cut."""
    from mmallinone.datasets.transforms import TokenizeCandidates
    t = TokenizeCandidates(max_length=12, prefix_key='qa_prefix',
                           candidates_key='rationale_candidates',
                           output_key='rationale_ids')
    out = t(dict(qa_prefix='what is person 1 doing ?',
                 rationale_candidates=['short .', 'very ' * 30 + 'long .']))
    assert 'candidate_ids' not in out
    short, long = out['rationale_ids']
    assert len(long) == 12 and long[0] == 101 and long[-1] == 102
    assert (long == 102).sum() == 2  # still [CLS] prefix [SEP] cand [SEP]
    assert len(short) <= 12 and (short == 102).sum() == 2
