# Demo pre-training data: the 5 shipped videos of data/demo with both
# captions (one sample per (video, caption) in training), val/test = the same
# 5 videos with their first caption. data_root is found from this file's
# folder: data/demo of the clone or of the installed package (any working
# directory).
#
# Variables a child config may read (``_base_.num_frames`` ...):
#   batch_size  samples per GPU                   (2)
#   num_false_videos false videos per training sample (1): the VTM
#               negatives of model.vtm_negative_source='dataset'
# Frames, pipelines and samplers: pretrain_common.py.
_base_ = ['./pretrain_common.py']

dataset_type = 'VideoTextDataset'
data_root = '{{ fileDirname }}/../../../data/demo'
train_ann_file = 'annotations/pretrain_demo.jsonl'
val_ann_file = 'annotations/val_demo.jsonl'
batch_size = 2
num_workers = 2
num_false_videos = 1

# what both splits share (a `__` name stays out of the resolved config)
__dataset = dict(type=dataset_type, data_root=data_root,
                 data_prefix=dict(video=''), expand_captions=True)
train_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    dataset=dict(__dataset, ann_file=train_ann_file,
                 num_false_videos=num_false_videos,
                 pipeline=_base_.train_pipeline))
val_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    dataset=dict(__dataset, ann_file=val_ann_file, test_mode=True,
                 pipeline=_base_.val_pipeline))
test_dataloader = val_dataloader
