# Ego4D multiple choice (narration choice, 4 options), the authors' CSV with
# Python-literal lists (docs/datasets/qa.md): data/ego4d/annotations/
# mc_val.csv and videos data/ego4d/videos/<uid>.mp4; a 120-frame window at
# the narration frame (RestrictToFrameWindow). Only a val file exists
# (zero-shot protocol); fine-tuning reads mc_train.csv in the same format.
_base_ = ['./mc_common.py']

dataset_type = 'Ego4DMCDataset'
data_root = 'data/ego4d'
video_prefix = 'videos'
train_ann_file = 'annotations/mc_train.csv'
val_ann_file = 'annotations/mc_val.csv'
test_ann_file = 'annotations/mc_val.csv'
dataset_extra = dict(num_options=4, num_candidates=4)

# mc_common.py's pipelines with the narration window after opening the video
__steps = {'SafeDecordInit': [dict(type='SafeDecordInit'),
                              dict(type='RestrictToFrameWindow')]}
train_pipeline = [
    s for t in _base_.train_pipeline for s in __steps.get(t.type, [t])]
test_pipeline = [
    s for t in _base_.test_pipeline for s in __steps.get(t.type, [t])]

# what the three splits share (a `__` name stays out of the resolved config)
__dataset = dict(type=dataset_type, data_root=data_root,
                 data_prefix=dict(video=video_prefix), **dataset_extra)
train_dataloader = dict(
    dataset=dict(__dataset, ann_file=train_ann_file, pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(__dataset, ann_file=val_ann_file, pipeline=test_pipeline))
test_dataloader = dict(
    dataset=dict(__dataset, ann_file=test_ann_file, pipeline=test_pipeline))
