# Linear probe of All-in-One-Ti on the five demo videos (one class each,
# data/demo/annotations/actions/), on CPU: the whole mmaction2 path
# (Recognizer3D, VideoDataset, DecordInit/UniformSample/DecordDecode,
# I3DHead, AccMetric, runner) with a frozen mmallinone backbone. Smoke test
# data: five training clips are also the test clips, so accuracy measures
# nothing. Give `pretrained` (e.g. the demo pre-training checkpoint
# work_dirs/pretrain_ti_demo/iter_60.pth) to probe learnt features.
#   python tools/train.py configs/recognition/linear-probe_ti_demo.py
#   python tools/test.py configs/recognition/linear-probe_ti_demo.py \
#       work_dirs/linear-probe_ti_demo/epoch_10.pth
_base_ = ['./linear-probe_b_k400.py']

num_classes = 5
# The demo data sits next to this config's folder: data/demo in a clone,
# mmallinone/.mim/data/demo in an installed wheel (any working directory).
data_root = '{{ fileDirname }}/../../data/demo'
ann_file = data_root + '/annotations/actions/demo_actions_videos.txt'

model = dict(
    backbone=dict(arch='tiny', pretrained=None),
    cls_head=dict(in_channels=192, num_classes=num_classes))
train_dataloader = dict(
    batch_size=5,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        num_classes=num_classes,
        ann_file=ann_file, data_prefix=dict(video=data_root)))
val_dataloader = dict(
    batch_size=5,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        num_classes=num_classes,
        ann_file=ann_file, data_prefix=dict(video=data_root)))
test_dataloader = val_dataloader
val_evaluator = dict(
    type='AccMetric',
    metric_options=dict(top_k_accuracy=dict(topk=(1, 5))))
test_evaluator = val_evaluator

max_epochs = 10
train_cfg = dict(max_epochs=max_epochs, val_interval=5)
optim_wrapper = dict(optimizer=dict(lr=1e-2))
param_scheduler = [
    dict(type='LinearLR', start_factor=1.0, end_factor=0.0, by_epoch=True,
         begin=0, end=max_epochs, convert_to_iter_based=True)
]
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(interval=5, max_keep_ckpts=1, save_best=None))
