"""Image-text datasets (co-training): official formats on small fixtures,
malformed rows named by file/line/field, real JPEG loading as 1-frame clips.
"""
import os.path as osp
import sys

import pytest
import torch

from mmallinone.datasets import (AnnotationError, CC3MDataset, CC12MDataset,
                                 COCOCaptionDataset, SBUCaptionDataset,
                                 VisualGenomeCaptionDataset)
from mmallinone.registry import DATASETS

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from datasets_helpers import REPO, TEST_DATA  # noqa: E402

FIX = osp.join(TEST_DATA, 'image_text')
DEMO_CC3M = osp.join(REPO, 'data', 'demo', 'cc3m')


def _pairs(ds):
    return [(osp.relpath(d['filename'], '/img'), d['text'])
            for d in (ds.get_data_info(i) for i in range(len(ds)))]


def test_cc3m_official_tsv_names_images_by_row_index():
    ds = CC3MDataset(
        ann_file=osp.join(FIX, 'Train_GCC-training.tsv'),
        data_prefix=dict(img='/img'),
        lazy_init=False)
    assert _pairs(ds) == [
        ('0.jpg', 'a dog runs on the beach'),
        # quotes are kept verbatim (no CSV quoting in the GCC TSV)
        ('1.jpg', '"quoted" caption with a tab-free "quote'),
        ('2.jpg', 'the last one'),  # blank line skipped, index continues
    ]
    assert {ds.get_data_info(i)['modality'] for i in range(3)} == {'image'}
    by_url = CC3MDataset(
        ann_file=osp.join(FIX, 'Train_GCC-training.tsv'),
        data_prefix=dict(img='/img'),
        filename_tmpl='{basename}')
    assert [p for p, _ in _pairs(by_url)] == ['dog.jpg', 'cat.png', 'last.jpg']
    with pytest.raises(ValueError, match=r"filename_tmpl.*\['basename'"):
        CC3MDataset(
            ann_file=osp.join(FIX, 'Train_GCC-training.tsv'),
            filename_tmpl='{id}.jpg')


def test_cc3m_authors_tsv_and_cc12m_column_order():
    ds = CC3MDataset(
        ann_file=osp.join(FIX, 'cc3m_training_success_full.tsv'),
        ann_format='authors_tsv',
        data_prefix=dict(img='/img'))
    assert _pairs(ds) == [('0000001.jpg', 'a dog runs on the beach'),
                          ('0000002.jpg', 'a red car')]
    ds = DATASETS.build(
        dict(
            type='CC12MDataset',
            ann_file=osp.join(FIX, 'cc12m.tsv'),
            data_prefix=dict(img='/img')))
    assert isinstance(ds, CC12MDataset)
    assert _pairs(ds) == [('0.jpg', 'a photo of <PERSON> on stage'),
                          ('1.jpg', 'a bowl of soup')]


def test_coco_karpathy_splits_and_official_grouping():
    ds = COCOCaptionDataset(
        ann_file=osp.join(FIX, 'dataset_coco.json'),
        data_prefix=dict(img='/img'))
    assert _pairs(ds) == [
        ('train2014/COCO_train2014_000000000009.jpg', 'A plate of food.'),
        ('train2014/COCO_train2014_000000000009.jpg', 'Some food on a table.'),
        ('val2014/COCO_val2014_000000000042.jpg', 'A dog on a couch.'),
    ]
    test = COCOCaptionDataset(
        ann_file=osp.join(FIX, 'dataset_coco.json'),
        splits=['test'],
        expand_captions=False)
    assert len(test) == 1 and test.get_data_info(0)['video_id'] == '73'
    ds = COCOCaptionDataset(
        ann_file=osp.join(FIX, 'captions_train2017.json'),
        data_prefix=dict(img='/img'),
        expand_captions=False)
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    assert [i['captions']
            for i in infos] == [['A plate of food.', 'Some food on a table.'],
                                ['A giraffe eating.']]
    assert infos[0]['filename'] == '/img/000000000009.jpg'


def test_visual_genome_phrases_and_image_folders():
    ds = VisualGenomeCaptionDataset(
        ann_file=osp.join(FIX, 'region_descriptions.json'),
        data_prefix=dict(img='/img'))
    # duplicate phrase of image 1 kept once, stripped
    assert _pairs(ds) == [('VG_100K/1.jpg', 'the clock is green'),
                          ('VG_100K/1.jpg', 'shade is along the street'),
                          ('VG_100K/2.jpg', 'a white car')]
    ds = VisualGenomeCaptionDataset(
        ann_file='region_descriptions.json',
        image_data_file='image_data.json',
        data_root=FIX,
        data_prefix=dict(img='/img'))
    assert [p for p, _ in _pairs(ds)
            ] == ['VG_100K_2/1.jpg', 'VG_100K_2/1.jpg', 'VG_100K/2.jpg']


def test_sbu_json_and_text_formats_agree():
    js = SBUCaptionDataset(
        ann_file=osp.join(FIX, 'sbu-captions-all.json'),
        data_prefix=dict(img='/img'))
    txt = SBUCaptionDataset(
        ann_file='SBU_captioned_photo_dataset_captions.txt',
        url_file='SBU_captioned_photo_dataset_urls.txt',
        data_root=FIX,
        data_prefix=dict(img='/img'))
    expected = [('4385058960_b0f291553e.jpg',
                 'A wooden chair in the living room'),
                ('1234_abc.jpg', 'Sunset over the lake')]
    assert _pairs(js) == expected and _pairs(txt) == expected
    with pytest.raises(ValueError, match='url_file'):
        SBUCaptionDataset(
            ann_file=osp.join(FIX, 'SBU_captioned_photo_dataset_captions.txt'))


@pytest.mark.parametrize('name,content,cls,kwargs,match', [
    ('bad.tsv', 'ok caption\thttp://a/b.jpg\nno url here\n', CC3MDataset, {},
     r'bad\.tsv, line 2\).*expected 2 tab-separated'),
    ('bad.tsv', 'ok caption\thttp://a/b.jpg\n \thttp://a/c.jpg\n', CC3MDataset,
     {}, r'bad\.tsv, line 2, field "column 0 \(caption\)"'),
    ('bad.tsv', 'http://a/b.jpg\t\n', CC12MDataset, {},
     r'bad\.tsv, line 1, field "column 1 \(caption\)"'),
    ('bad.json', '{"images": [{"filename": "a.jpg", "split": "train", '
     '"sentences": [{"raw": ""}]}]}', COCOCaptionDataset, {},
     r'bad\.json, images\[0\], field "sentences\[0\]\.raw"\): empty'),
    ('bad.json', '{"images": [{"id": 1, "file_name": "a.jpg"}], '
     '"annotations": [{"image_id": 2, "caption": "x"}]}', COCOCaptionDataset,
     {}, r'annotations\[0\], field "image_id"'),
    ('bad.json', '{"images": [\n{"filename": "a.jpg"\n', COCOCaptionDataset,
     {}, r'bad\.json, line 3\): malformed JSON'),
    ('bad.json', '[{"id": 1, "regions": [{"phrase": 5}]}]',
     VisualGenomeCaptionDataset, {}, r'row 0, field "regions\[0\]\.phrase"'),
    ('bad.json', '{"image_urls": ["http://a/b.jpg"], "captions": []}',
     SBUCaptionDataset, {}, r'field "captions"\): 0 captions for 1'),
])
def test_malformed_rows_name_file_line_field(tmp_path, name, content, cls,
                                             kwargs, match):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ValueError, match=match):
        cls(ann_file=str(path), **kwargs)


def test_skip_invalid_rows_and_drop_missing_images(tmp_path, log_messages):
    path = tmp_path / 'gcc.tsv'
    path.write_text('a\thttp://a/0.jpg\nbroken row\nc\thttp://a/2.jpg\n'
                    'd\thttp://a/3.jpg\n')
    (tmp_path / '2.jpg').write_bytes(b'x')  # the row index names images
    ds = CC3MDataset(
        ann_file=str(path),
        skip_invalid_rows=True,
        data_prefix=dict(img=str(tmp_path)))
    assert ds.num_invalid_rows == 1 and len(ds) == 3
    ds = CC3MDataset(
        ann_file=str(path),
        skip_invalid_rows=True,
        drop_missing_images=True,
        data_prefix=dict(img=str(tmp_path)))
    assert len(ds) == 1 and ds.num_missing_images == 2
    assert ds.get_data_info(0)['text'] == 'c'
    assert any('dropped 2 of 3 images missing' in m for m in log_messages)
    with pytest.raises(AnnotationError, match=r'gcc\.tsv, line 2\)'):
        CC3MDataset(ann_file=str(path))


def test_demo_cc3m_images_load_as_one_frame_clips():
    """The committed demo frames (JPEG) through a real pipeline."""
    ds = CC3MDataset(
        ann_file='Train_GCC-training.tsv',
        data_root=DEMO_CC3M,
        data_prefix=dict(img=''),
        num_false_videos=1,
        pipeline=[
            dict(type='LoadImageAsClip', clip_len=1),
            dict(type='mmaction.Resize', scale=(-1, 40)),
            dict(type='mmaction.RandomCrop', size=32),
            dict(type='TokenizeText', max_length=40),
            dict(type='MaskTokensForMLM'),
            dict(type='PackVideoTextInputs'),
        ])
    assert len(ds) == 10
    out = ds[3]
    assert out['inputs']['imgs'].shape == (1, 3, 32, 32)
    assert out['inputs']['imgs'].dtype == torch.uint8
    assert out['inputs']['false_imgs'].shape == (1, 3, 32, 32)
    assert out['data_samples'].text == \
        'a man walks over and hugs another man in a room'
    assert ds.num_skipped == 0
