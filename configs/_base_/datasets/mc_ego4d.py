# Ego4D multiple choice (narration choice, 4 options), the authors' CSV with
# Python-literal lists (docs/datasets/qa.md): data/ego4d/annotations/
# mc_val.csv and videos data/ego4d/videos/<uid>.mp4; a 120-frame window at
# the narration frame (RestrictToFrameWindow). Only a val file exists
# (zero-shot protocol); fine-tuning reads mc_train.csv in the same format.
dataset_type = 'Ego4DMCDataset'
data_root = 'data/ego4d'
video_prefix = 'videos'
train_ann_file = 'annotations/mc_train.csv'
val_ann_file = 'annotations/mc_val.csv'
test_ann_file = 'annotations/mc_val.csv'
dataset_extra = dict(num_options=4, num_candidates=4)

num_frames = 3
img_size = 224
max_text_len = 40
prefix_key = None  # caption choice: [CLS] caption [SEP]
batch_size = 8
num_workers = 4
tokenizer = dict(type='BertWordPieceTokenizer')
meta_keys = ('text', 'video_id', 'filename', 'sample_idx', 'frame_inds',
             'img_shape', 'candidates', 'question', 'question_id')

train_pipeline = [
    dict(type='SafeDecordInit'),
    dict(type='RestrictToFrameWindow'),
    dict(type='mmaction.UniformSample', clip_len=num_frames, num_clips=1,
         test_mode=False),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(-1, int(img_size * 1.2))),
    dict(type='mmaction.RandomCrop', size=img_size),
    dict(type='TokenizeCandidates', tokenizer=tokenizer,
         max_length=max_text_len, prefix_key=prefix_key),
    dict(type='PackVideoTextInputs', meta_keys=meta_keys),
]
test_pipeline = [
    dict(type='SafeDecordInit'),
    dict(type='RestrictToFrameWindow'),
    dict(type='mmaction.UniformSample', clip_len=num_frames, num_clips=1,
         test_mode=True),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(-1, int(img_size * 1.2))),
    dict(type='mmaction.CenterCrop', crop_size=img_size),
    dict(type='TokenizeCandidates', tokenizer=tokenizer,
         max_length=max_text_len, prefix_key=prefix_key),
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
        ann_file=train_ann_file,
        data_prefix=dict(video=video_prefix),
        pipeline=train_pipeline,
        **dataset_extra))
val_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=val_ann_file,
        data_prefix=dict(video=video_prefix),
        pipeline=test_pipeline,
        test_mode=True,
        **dataset_extra))
test_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=test_ann_file,
        data_prefix=dict(video=video_prefix),
        pipeline=test_pipeline,
        test_mode=True,
        **dataset_extra))
val_evaluator = dict(type='MultipleChoiceMetric')
test_evaluator = val_evaluator
