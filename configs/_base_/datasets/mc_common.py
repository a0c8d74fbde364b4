# Shared part of the multiple-choice datasets (mc_{msrvtt,lsmdc,ego4d,
# tgif_action,tvqa}.py): frames, text length, caption-choice tokenisation
# ([CLS] caption [SEP] per candidate), loaders, pipelines (decord decoding)
# and MultipleChoiceMetric. Each dataset file inherits it and fills in its
# loaders' `dataset` (type, data_root, annotation files, `dataset_extra`);
# one that decodes or tokenises otherwise rebuilds the pipelines from these,
# step type by step type (docs/configs.md); docs/datasets/qa.md.
_base_ = ['./video_frames_common.py']

prefix_key = None  # caption choice: [CLS] caption [SEP]
batch_size = 8
num_workers = 4
meta_keys = ('text', 'video_id', 'filename', 'sample_idx', 'frame_inds',
             'img_shape', 'candidates', 'question', 'question_id')

__text = [
    dict(type='TokenizeCandidates', tokenizer=_base_.tokenizer,
         max_length=_base_.max_text_len, prefix_key=prefix_key),
    dict(type='PackVideoTextInputs', meta_keys=meta_keys),
]
train_pipeline = _base_.train_frames + __text
test_pipeline = _base_.test_frames + __text

train_dataloader = dict(batch_size=batch_size, num_workers=num_workers,
                        dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=batch_size, num_workers=num_workers,
                      dataset=dict(pipeline=test_pipeline, test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='MultipleChoiceMetric')
test_evaluator = val_evaluator
