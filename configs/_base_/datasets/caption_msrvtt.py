# MSR-VTT captioning, official annotations (docs/datasets/captioning.md):
# data/msrvtt/annotations/train_val_videodatainfo.json (train 6513 +
# validate 497 videos), test_videodatainfo.json (test 2990), 20 references
# per video; videos data/msrvtt/videos/all/video<N>.mp4.
# Training: one sample per (video, caption); val / test: one per video with
# all references (gt_captions) for CaptionMetric.
_base_ = ['./caption_common.py']

dataset_type = 'MSRVTTCaptionDataset'
data_root = 'data/msrvtt'
video_prefix = 'videos/all'
train_ann = 'annotations/train_val_videodatainfo.json'
test_ann = 'annotations/test_videodatainfo.json'

# what the three splits share (a `__` name stays out of the resolved config)
__dataset = dict(type=dataset_type, data_root=data_root,
                 data_prefix=dict(video=video_prefix))
train_dataloader = dict(
    dataset=dict(__dataset, ann_file=train_ann, split='train'))
val_dataloader = dict(
    dataset=dict(__dataset, ann_file=train_ann, split='validate'))
test_dataloader = dict(
    dataset=dict(__dataset, ann_file=test_ann, split='test'))
