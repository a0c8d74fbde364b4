# Shared part of the open-ended video QA datasets (qa_{msrvtt,msvd,
# tgif_frame}.py): frames, text length, loaders, pipelines (decord decoding)
# and VideoQAMetric. Eval: uniform (deterministic) frames, centre crop; val
# and test separate. Each dataset file inherits it and fills in its loaders'
# `dataset` (type, data_root, annotation files, answer vocabulary);
# docs/datasets/qa.md.
_base_ = ['./video_frames_common.py']

batch_size = 16
num_workers = 4
meta_keys = ('text', 'video_id', 'filename', 'sample_idx', 'frame_inds',
             'img_shape', 'question', 'answer', 'question_id')

__text = [
    dict(type='TokenizeText', tokenizer=_base_.tokenizer,
         max_length=_base_.max_text_len),
    dict(type='PackVideoTextInputs', meta_keys=meta_keys),
]
train_pipeline = _base_.train_frames + __text
test_pipeline = _base_.test_frames + __text

train_dataloader = dict(batch_size=batch_size, num_workers=num_workers,
                        dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=batch_size, num_workers=num_workers,
                      dataset=dict(pipeline=test_pipeline, test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='VideoQAMetric')
test_evaluator = val_evaluator
