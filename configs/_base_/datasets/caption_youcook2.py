# YouCook2 segment captioning (docs/datasets/captioning.md): the official
# data/youcook2/annotations/youcookii_annotations_trainval.json and the raw
# videos data/youcook2/raw_videos/<subset>/<recipe_type>/<id>.{mp4,mkv,webm}.
# Every annotated segment is a sample; frames are sampled inside its
# [start, end] window (RestrictToClipWindow). The test annotations are not
# public: the validation split (457 videos) is the test set, as in the
# published results.
dataset_type = 'YouCook2CaptionDataset'
data_root = 'data/youcook2'
video_prefix = 'raw_videos'
ann_file = 'annotations/youcookii_annotations_trainval.json'

num_frames = 3
img_size = 224
max_text_len = 40
batch_size = 32
test_batch_size = 16
num_workers = 4
tokenizer = dict(type='BertWordPieceTokenizer')
meta_keys = ('text', 'video_id', 'eval_id', 'gt_captions', 'filename',
             'sample_idx', 'frame_inds', 'clip_window')

train_pipeline = [
    dict(type='SafeDecordInit'),
    dict(type='RestrictToClipWindow'),
    dict(type='mmaction.UniformSample', clip_len=num_frames, num_clips=1,
         test_mode=False),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(-1, int(img_size * 1.2))),
    dict(type='mmaction.RandomCrop', size=img_size),
    dict(type='TokenizeText', tokenizer=tokenizer, max_length=max_text_len),
    dict(type='PackVideoTextInputs', meta_keys=meta_keys),
]
test_pipeline = [
    dict(type='SafeDecordInit'),
    dict(type='RestrictToClipWindow'),
    dict(type='mmaction.UniformSample', clip_len=num_frames, num_clips=1,
         test_mode=True),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(-1, int(img_size * 1.2))),
    dict(type='mmaction.CenterCrop', crop_size=img_size),
    dict(type='PackVideoTextInputs', meta_keys=meta_keys),
]

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=ann_file,
        subset='training',
        data_prefix=dict(video=video_prefix),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=test_batch_size,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=ann_file,
        subset='validation',
        data_prefix=dict(video=video_prefix),
        pipeline=test_pipeline,
        test_mode=True))
test_dataloader = dict(
    batch_size=test_batch_size,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=ann_file,
        subset='validation',
        data_prefix=dict(video=video_prefix),
        pipeline=test_pipeline,
        test_mode=True))
val_evaluator = dict(type='CaptionMetric')
test_evaluator = val_evaluator
