# CPU demo of video captioning (All-in-One-Ti) on the 5 videos of data/demo
# and their two captions each (data/demo/annotations/pretrain_demo.jsonl):
# fine-tune on the 10 (video, caption) pairs, then caption the 5 videos and
# score them against both references (BLEU-1..4, METEOR, ROUGE-L, CIDEr).
# This is the overfit check of docs/benchmarks.md, not a benchmark.
#   python tools/train.py configs/allinone/pretrain_ti_demo.py
#   python tools/train.py configs/allinone/caption_ti_demo.py \
#       --cfg-options load_from=work_dirs/pretrain_ti_demo/iter_60.pth
#   python tools/test.py configs/allinone/caption_ti_demo.py \
#       work_dirs/caption_ti_demo/iter_80.pth
_base_ = [
    '../_base_/models/allinone_b_caption.py',
    '../_base_/datasets/caption_msrvtt.py',
    '../_base_/schedules/caption_finetune.py',
]

model = dict(
    backbone=dict(arch='tiny', drop_rate=0.0, drop_path_rate=0.0),
    label_smoothing=0.0)

max_iters = 80
train_cfg = dict(
    _delete_=True, type='IterBasedTrainLoop', max_iters=max_iters,
    val_interval=max_iters)
optim_wrapper = dict(optimizer=dict(lr=5e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, end_factor=1.0, by_epoch=False,
         begin=0, end=5),
    dict(type='LinearLR', start_factor=1.0, end_factor=0.05,
         by_epoch=False, begin=5, end=max_iters),
]
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(by_epoch=False, interval=max_iters, save_best=None))
log_processor = dict(by_epoch=False)

data_root = 'data/demo'
demo_data = dict(
    _delete_=True,
    type='VideoCaptionDataset',
    data_root=data_root,
    ann_file='annotations/pretrain_demo.jsonl',
    data_prefix=dict(video=''))
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(_delete_=True, type='InfiniteSampler', shuffle=True),
    dataset=dict(pipeline=_base_.train_pipeline, **demo_data))
val_dataloader = dict(
    batch_size=5,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(pipeline=_base_.test_pipeline, test_mode=True, **demo_data))
test_dataloader = val_dataloader
randomness = dict(seed=0)
work_dir = './work_dirs/caption_ti_demo'
