# Linear probe of All-in-One-B on UCF101 (split 1), 3 frames, inside
# mmaction2 (see linear-probe_b_k400.py for the model). The authors have no
# UCF101 run; the schedule is their HMDB51 one (batch 256, 50 epochs,
# lr 1e-4).
#
# Data (mmaction2's tools/data/ucf101): data/ucf101/videos/<class>/<clip>.avi
# and ucf101_{train,val}_split_1_videos.txt ("<class>/<clip>.avi <label>").
_base_ = ['./linear-probe_b_k400.py']

num_classes = 101
split = 1
data_root = 'data/ucf101/videos'
ann_file_train = f'data/ucf101/ucf101_train_split_{split}_videos.txt'
ann_file_val = f'data/ucf101/ucf101_val_split_{split}_videos.txt'

model = dict(cls_head=dict(num_classes=num_classes))
# what both splits share (a `__` name stays out of the resolved config)
__dataset = dict(num_classes=num_classes, data_prefix=dict(video=data_root))
train_dataloader = dict(dataset=dict(__dataset, ann_file=ann_file_train))
val_dataloader = dict(dataset=dict(__dataset, ann_file=ann_file_val))
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(lr=1e-4))
