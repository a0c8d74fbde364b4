# Linear probe of All-in-One-B on UCF101 (split 1) with 8 frames.
_base_ = ['./linear-probe_b_8f_k400.py']

num_classes = 101
data_root = 'data/ucf101/videos'
ann_file_train = 'data/ucf101/ucf101_train_split_1_videos.txt'
ann_file_val = 'data/ucf101/ucf101_val_split_1_videos.txt'

model = dict(cls_head=dict(num_classes=num_classes))
train_dataloader = dict(
    dataset=dict(
        num_classes=num_classes,
        ann_file=ann_file_train, data_prefix=dict(video=data_root)))
val_dataloader = dict(
    dataset=dict(
        num_classes=num_classes,
        ann_file=ann_file_val, data_prefix=dict(video=data_root)))
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(lr=1e-4))
