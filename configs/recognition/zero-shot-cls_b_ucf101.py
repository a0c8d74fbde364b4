# Zero-shot action classification with All-in-One-B on UCF101 (split 1 test
# list); see zero-shot-cls_b_k400.py. Label-map names such as
# `ApplyEyeMakeup` become "apply eye makeup" (clean_names).
_base_ = ['./zero-shot-cls_b_k400.py']

model = dict(class_names='data/ucf101/label_map.txt')
test_dataloader = dict(
    dataset=dict(
        ann_file='data/ucf101/ucf101_val_split_1_videos.txt',
        data_prefix=dict(video='data/ucf101/videos')))
