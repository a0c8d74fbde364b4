# Shared part of the captioning datasets (caption_{msrvtt,msvd,youcook2}.py):
# frames, text length, loaders, pipelines and CaptionMetric. Each dataset
# file inherits it and fills in its loaders' `dataset` (type, data_root,
# annotation files and split); docs/datasets/captioning.md.
_base_ = ['./loaders_common.py']

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

train_dataloader = dict(batch_size=batch_size, num_workers=num_workers,
                        dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=test_batch_size, num_workers=num_workers,
                      dataset=dict(pipeline=test_pipeline, test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='CaptionMetric')
test_evaluator = val_evaluator
