# TVQA (multiple-choice video QA, 5 options), official JSONL
# (docs/datasets/qa.md): data/tvqa/annotations/tvqa_{train,val}.jsonl and
# the 3 fps JPEG frames data/tvqa/frames_hq/<show>_frames/<vid_name>/
# %05d.jpg, decoded RGB with mmaction.RawFrameDecode inside the `ts` window.
# tvqa_test_public has no answers (server evaluation): val and test both
# read tvqa_val.jsonl, the split reported on. No subtitles (as the authors);
# set `subtitle_file` in dataset_extra to append them to the question.
dataset_type = 'TVQADataset'
data_root = 'data/tvqa'
video_prefix = 'frames_hq'
train_ann_file = 'annotations/tvqa_train.jsonl'
val_ann_file = 'annotations/tvqa_val.jsonl'
test_ann_file = 'annotations/tvqa_val.jsonl'
dataset_extra = dict(num_candidates=5, subtitle_file=None)

num_frames = 3
img_size = 224
max_text_len = 100
prefix_key = 'question'  # [CLS] question [SEP] option [SEP]
batch_size = 8
num_workers = 4
tokenizer = dict(type='BertWordPieceTokenizer')
meta_keys = ('text', 'video_id', 'filename', 'sample_idx', 'frame_inds',
             'img_shape', 'candidates', 'question', 'question_id')

train_pipeline = [
    dict(type='mmaction.UniformSample', clip_len=num_frames, num_clips=1,
         test_mode=False),
    dict(type='mmaction.RawFrameDecode'),
    dict(type='mmaction.Resize', scale=(-1, int(img_size * 1.2))),
    dict(type='mmaction.RandomCrop', size=img_size),
    dict(type='TokenizeCandidates', tokenizer=tokenizer,
         max_length=max_text_len, prefix_key=prefix_key),
    dict(type='PackVideoTextInputs', meta_keys=meta_keys),
]
test_pipeline = [
    dict(type='mmaction.UniformSample', clip_len=num_frames, num_clips=1,
         test_mode=True),
    dict(type='mmaction.RawFrameDecode'),
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
