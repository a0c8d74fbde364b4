# LSMDC multiple choice (caption choice, 5 options), official TSVs
# (docs/datasets/qa.md): data/lsmdc/annotations/LSMDC16_multiple_choice_
# {train,valid,test_randomized}.csv and clips data/lsmdc/videos/<movie>/
# <clip>.avi. Val and test are separate files (the authors use test twice).
dataset_type = 'LSMDCMCDataset'
data_root = 'data/lsmdc'
video_prefix = 'videos'
train_ann_file = 'annotations/LSMDC16_multiple_choice_train.csv'
val_ann_file = 'annotations/LSMDC16_multiple_choice_valid.csv'
test_ann_file = 'annotations/LSMDC16_multiple_choice_test_randomized.csv'
dataset_extra = dict(num_candidates=5)

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
