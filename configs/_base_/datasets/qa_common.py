# Shared part of the open-ended video QA datasets (qa_{msrvtt,msvd,
# tgif_frame}.py): frames, text length, loaders, pipelines (decord decoding)
# and VideoQAMetric. Eval: uniform (deterministic) frames, centre crop; val
# and test separate. Each dataset file inherits it and fills in its loaders'
# `dataset` (type, data_root, annotation files, answer vocabulary);
# docs/datasets/qa.md.
_base_ = ['./loaders_common.py']

num_frames = 3
img_size = 224
max_text_len = 40
batch_size = 16
num_workers = 4
tokenizer = dict(type='BertWordPieceTokenizer')
meta_keys = ('text', 'video_id', 'filename', 'sample_idx', 'frame_inds',
             'img_shape', 'question', 'answer', 'question_id')

train_pipeline = [
    dict(type='SafeDecordInit'),
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
    dict(type='mmaction.UniformSample', clip_len=num_frames, num_clips=1,
         test_mode=True),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(-1, int(img_size * 1.2))),
    dict(type='mmaction.CenterCrop', crop_size=img_size),
    dict(type='TokenizeText', tokenizer=tokenizer, max_length=max_text_len),
    dict(type='PackVideoTextInputs', meta_keys=meta_keys),
]

train_dataloader = dict(batch_size=batch_size, num_workers=num_workers,
                        dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=batch_size, num_workers=num_workers,
                      dataset=dict(pipeline=test_pipeline, test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='VideoQAMetric')
test_evaluator = val_evaluator
