# Linear probe of All-in-One-B on HMDB51 (split 1) with 8 frames.
_base_ = ['./linear-probe_b_8f_k400.py']

num_classes = 51
data_root = 'data/hmdb51/videos'
ann_file_train = 'data/hmdb51/hmdb51_train_split_1_videos.txt'
ann_file_val = 'data/hmdb51/hmdb51_val_split_1_videos.txt'

model = dict(cls_head=dict(num_classes=num_classes))
# what both splits share (a `__` name stays out of the resolved config)
__dataset = dict(num_classes=num_classes, data_prefix=dict(video=data_root))
train_dataloader = dict(dataset=dict(__dataset, ann_file=ann_file_train))
val_dataloader = dict(dataset=dict(__dataset, ann_file=ann_file_val))
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(lr=1e-4))
