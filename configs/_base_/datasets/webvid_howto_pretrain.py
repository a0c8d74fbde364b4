# All-in-One video pre-training data: WebVid-2.5M + HowTo100M: a ConcatDataset, sampled in proportion to the datasets' sizes.
#
# Expected layout (relative to the repository root; symlinks are fine):
#
#   data/webvid/
#     annotations/results_2M_train.csv   official CSV: videoid,contentUrl,
#                                        duration,page_dir,name
#     annotations/results_2M_val.csv
#     videos/<page_dir>/<videoid>.mp4    (downloaded videos)
#   -- or the authors' meta_data TSVs with ann_format='authors_tsv':
#     annotations/webvid_training_success_full.tsv  (caption \t rel id)
#     videos/train/<rel id>.mp4          (set data_prefix accordingly)
#
#   data/howto100m/
#     annotations/ht100_videos_split.csv      column `Name` (tab or comma)
#     annotations/ht100_videos_split_val.csv
#     howto100m_csv/<video id>.csv            text,start,end per video
#                                             (or caption_file=caption.json)
#     videos/<Name>                           e.g. videos/<id>.mp4
#
# Variables: num_frames (3), img_size (224), max_text_len (40),
# batch_size (per GPU), num_workers, num_false_videos (1 per training
# sample: the VTM negatives of model.vtm_negative_source='dataset').
webvid_root = 'data/webvid'
howto_root = 'data/howto100m'

num_frames = 3
img_size = 224
max_text_len = 40
batch_size = 8
num_workers = 8
num_false_videos = 1

# Video decoder: 'auto' (decord if installed, else torchcodec, else PyAV),
# 'decord', 'pyav' or 'torchcodec' -- same frames, see docs/decoders.md.
video_backend = 'auto'

tokenizer = dict(type='BertWordPieceTokenizer')

train_pipeline = [
    # header-checked opening; a web video with fewer frames than a clip
    # needs is a logged skip, not a clip of repeated frames
    dict(type='SafeVideoInit', backend=video_backend, min_frames=num_frames),
    # HowTo100M: sample inside the chosen caption's [start, end] window;
    # a no-op for WebVid samples (they have no clip_window)
    dict(type='RestrictToClipWindow'),
    dict(
        type='mmaction.UniformSample',
        clip_len=num_frames,
        num_clips=1,
        test_mode=False),
    dict(type='VideoDecode'),
    dict(type='mmaction.Resize', scale=(-1, int(img_size * 1.2))),
    dict(type='mmaction.RandomResizedCrop', area_range=(0.5, 1.0)),
    dict(type='mmaction.Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='mmaction.Flip', flip_ratio=0.5),
    dict(type='TokenizeText', tokenizer=tokenizer, max_length=max_text_len),
    dict(
        type='MaskTokensForMLM',
        tokenizer=tokenizer,
        mlm_probability=0.15,
        whole_word=True),
    dict(type='PackVideoTextInputs'),
]
val_pipeline = [
    dict(type='SafeVideoInit', backend=video_backend),
    dict(type='RestrictToClipWindow'),
    dict(
        type='mmaction.UniformSample',
        clip_len=num_frames,
        num_clips=1,
        test_mode=True),
    dict(type='VideoDecode'),
    dict(type='mmaction.Resize', scale=(-1, int(img_size * 1.2))),
    dict(type='mmaction.CenterCrop', crop_size=img_size),
    dict(type='TokenizeText', tokenizer=tokenizer, max_length=max_text_len),
    dict(type='PackVideoTextInputs'),
]
test_pipeline = val_pipeline

webvid_train = dict(
    type='WebVidDataset',
    data_root=webvid_root,
    ann_file='annotations/results_2M_train.csv',
    ann_format='csv',
    # parse the multi-GB CSV once (rank 0) into a cached memory-mapped
    # index (mmallinone/datasets/ann_index.py, docs/distributed.md)
    ann_index=True,
    data_prefix=dict(video='videos'),
    num_false_videos=num_false_videos,
    pipeline=train_pipeline)
howto_train = dict(
    type='HowTo100MDataset',
    data_root=howto_root,
    ann_file='annotations/ht100_videos_split.csv',
    caption_dir='howto100m_csv',
    min_window=4.0,
    data_prefix=dict(video='videos'),
    num_false_videos=num_false_videos,
    pipeline=train_pipeline)
webvid_val = dict(
    type='WebVidDataset',
    data_root=webvid_root,
    ann_file='annotations/results_2M_val.csv',
    ann_format='csv',
    ann_index=True,
    data_prefix=dict(video='videos'),
    test_mode=True,
    pipeline=val_pipeline)
howto_val = dict(
    type='HowTo100MDataset',
    data_root=howto_root,
    ann_file='annotations/ht100_videos_split_val.csv',
    caption_dir='howto100m_csv',
    data_prefix=dict(video='videos'),
    test_mode=True,
    pipeline=val_pipeline)

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='ResumableInfiniteSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(type='ConcatDataset', datasets=[webvid_train, howto_train]))
val_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(type='ConcatDataset', datasets=[webvid_val, howto_val]))
test_dataloader = val_dataloader
