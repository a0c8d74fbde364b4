# MSR-VTT multiple choice (caption choice, 5 options), the authors' JSONL
# (docs/datasets/qa.md): data/msrvtt/annotations/msrvtt_mc/msrvtt_mc_test.jsonl
# ({clip_name, options, answer}) and the clips data/msrvtt/videos/all/.
# The benchmark has only a test file; fine-tuning reads a training file in
# the same format (msrvtt_mc_train.jsonl, not the test file as the authors).
_base_ = ['./mc_common.py']

dataset_type = 'MSRVTTMCDataset'
data_root = 'data/msrvtt'
video_prefix = 'videos/all'
train_ann_file = 'annotations/msrvtt_mc/msrvtt_mc_train.jsonl'
val_ann_file = 'annotations/msrvtt_mc/msrvtt_mc_test.jsonl'
test_ann_file = 'annotations/msrvtt_mc/msrvtt_mc_test.jsonl'
dataset_extra = dict(num_candidates=5)

# what the three splits share (a `__` name stays out of the resolved config)
__dataset = dict(type=dataset_type, data_root=data_root,
                 data_prefix=dict(video=video_prefix), **dataset_extra)
train_dataloader = dict(dataset=dict(__dataset, ann_file=train_ann_file))
val_dataloader = dict(dataset=dict(__dataset, ann_file=val_ann_file))
test_dataloader = dict(dataset=dict(__dataset, ann_file=test_ann_file))
