# Image-text pre-training data for image-video co-training (All-in-One+):
# CC3M, CC12M, Visual Genome, COCO captions and SBU in their usual
# annotation formats. An image is a one-frame clip (`LoadImageAsClip`,
# clip_len=1): the backbone applies no token rolling and no temporal
# embedding to it.
#
# Expected layout (relative to the repository root; symlinks are fine):
#
#   data/cc3m/Train_GCC-training.tsv          caption<TAB>url (no header)
#   data/cc3m/training/<row index>.jpg        downloaded images
#     -- or the authors' meta_data TSV: ann_format='authors_tsv',
#        cc3m_training_success_full.tsv (caption<TAB>file, with header)
#   data/cc12m/cc12m.tsv                      url<TAB>caption (no header)
#   data/cc12m/images/<row index>.jpg
#   data/vg/annotations/region_descriptions.json, image_data.json
#   data/vg/images/VG_100K/<id>.jpg, VG_100K_2/<id>.jpg
#   data/coco/annotations/dataset_coco.json   Karpathy split file
#   data/coco/images/{train2014,val2014}/COCO_*.jpg
#   data/sbu/sbu-captions-all.json            official JSON (urls, captions)
#   data/sbu/images/<url file name>
#
# Variables (prefixed: MMEngine forbids a key in two `_base_` files, and
# the video data bases define `img_size` etc.): image_crop_size (224),
# image_max_text_len (40), image_batch_size (per GPU), image_num_workers,
# image_num_false_videos (1 per sample: the VTM negatives of
# model.vtm_negative_source='dataset'), image_pipeline, cc3m_train ...
# sbu_train, image_train_dataloader.
image_crop_size = 224
image_max_text_len = 40
image_batch_size = 8
image_num_workers = 8
image_num_false_videos = 1

image_tokenizer = dict(type='BertWordPieceTokenizer')

# The same augmentation as the video pipeline, on one frame.
image_pipeline = [
    dict(type='LoadImageAsClip', clip_len=1),
    dict(type='mmaction.Resize', scale=(-1, int(image_crop_size * 1.2))),
    dict(type='mmaction.RandomResizedCrop', area_range=(0.5, 1.0)),
    dict(type='mmaction.Resize', scale=(image_crop_size, image_crop_size),
        keep_ratio=False),
    dict(type='mmaction.Flip', flip_ratio=0.5),
    dict(
        type='TokenizeText',
        tokenizer=image_tokenizer,
        max_length=image_max_text_len),
    dict(
        type='MaskTokensForMLM',
        tokenizer=image_tokenizer,
        mlm_probability=0.15,
        whole_word=True),
    dict(type='PackVideoTextInputs'),
]

cc3m_train = dict(
    type='CC3MDataset',
    data_root='data/cc3m',
    ann_file='Train_GCC-training.tsv',
    ann_format='gcc_tsv',
    filename_tmpl='{index}.jpg',
    data_prefix=dict(img='training'),
    num_false_videos=image_num_false_videos,
    pipeline=image_pipeline)
cc12m_train = dict(
    type='CC12MDataset',
    data_root='data/cc12m',
    ann_file='cc12m.tsv',
    filename_tmpl='{index}.jpg',
    data_prefix=dict(img='images'),
    num_false_videos=image_num_false_videos,
    pipeline=image_pipeline)
vg_train = dict(
    type='VisualGenomeCaptionDataset',
    data_root='data/vg',
    ann_file='annotations/region_descriptions.json',
    image_data_file='annotations/image_data.json',
    data_prefix=dict(img='images'),
    num_false_videos=image_num_false_videos,
    pipeline=image_pipeline)
coco_train = dict(
    type='COCOCaptionDataset',
    data_root='data/coco',
    ann_file='annotations/dataset_coco.json',
    ann_format='karpathy',
    splits=('train', 'restval'),
    data_prefix=dict(img='images'),
    num_false_videos=image_num_false_videos,
    pipeline=image_pipeline)
sbu_train = dict(
    type='SBUCaptionDataset',
    data_root='data/sbu',
    ann_file='sbu-captions-all.json',
    data_prefix=dict(img='images'),
    num_false_videos=image_num_false_videos,
    pipeline=image_pipeline)

# Template of the image loader (`train_cfg.other_loaders.image`).
image_train_dataloader = dict(
    batch_size=image_batch_size,
    num_workers=image_num_workers,
    persistent_workers=True,
    sampler=dict(type='ResumableInfiniteSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=cc3m_train)
