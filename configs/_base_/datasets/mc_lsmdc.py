# LSMDC multiple choice (caption choice, 5 options), official TSVs
# (docs/datasets/qa.md): data/lsmdc/annotations/LSMDC16_multiple_choice_
# {train,valid,test_randomized}.csv and clips data/lsmdc/videos/<movie>/
# <clip>.avi. Val and test are separate files (the authors use test twice).
_base_ = ['./mc_common.py']

dataset_type = 'LSMDCMCDataset'
data_root = 'data/lsmdc'
video_prefix = 'videos'
train_ann_file = 'annotations/LSMDC16_multiple_choice_train.csv'
val_ann_file = 'annotations/LSMDC16_multiple_choice_valid.csv'
test_ann_file = 'annotations/LSMDC16_multiple_choice_test_randomized.csv'
dataset_extra = dict(num_candidates=5)

# what the three splits share (a `__` name stays out of the resolved config)
__dataset = dict(type=dataset_type, data_root=data_root,
                 data_prefix=dict(video=video_prefix), **dataset_extra)
train_dataloader = dict(dataset=dict(__dataset, ann_file=train_ann_file))
val_dataloader = dict(dataset=dict(__dataset, ann_file=val_ann_file))
test_dataloader = dict(dataset=dict(__dataset, ann_file=test_ann_file))
