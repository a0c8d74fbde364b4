# Shared part of the captioning datasets (caption_{msrvtt,msvd,youcook2}.py):
# frames, text length, loaders, pipelines and CaptionMetric. Each dataset
# file inherits it and fills in its loaders' `dataset` (type, data_root,
# annotation files and split); docs/datasets/captioning.md.
_base_ = ['./video_frames_common.py']

batch_size = 32
test_batch_size = 16
num_workers = 4
meta_keys = ('text', 'video_id', 'eval_id', 'gt_captions', 'filename',
             'sample_idx', 'frame_inds', 'clip_window')

# the frame steps, sampling inside the caption's clip window (a no-op
# without one)
__window = dict(type='RestrictToClipWindow')
__pack = dict(type='PackVideoTextInputs', meta_keys=meta_keys)
train_pipeline = _base_.train_frames[:1] + [__window] + \
    _base_.train_frames[1:] + [
        dict(type='TokenizeText', tokenizer=_base_.tokenizer,
             max_length=_base_.max_text_len), __pack]
test_pipeline = _base_.test_frames[:1] + [__window] + \
    _base_.test_frames[1:] + [__pack]

train_dataloader = dict(batch_size=batch_size, num_workers=num_workers,
                        dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=test_batch_size, num_workers=num_workers,
                      dataset=dict(pipeline=test_pipeline, test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='CaptionMetric')
test_evaluator = val_evaluator
