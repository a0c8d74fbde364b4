# CPU demo of video captioning (All-in-One-Ti) on the 5 videos of data/demo
# and their two captions each (data/demo/annotations/pretrain_demo.jsonl):
# fine-tune on the 10 (video, caption) pairs, then caption the 5 videos and
# score them against both references (BLEU-1..4, METEOR, ROUGE-L, CIDEr).
# This is the overfit check of docs/benchmarks.md, not a benchmark.
#   python tools/train.py configs/allinone/pretrain_ti_demo.py
#   python tools/train.py configs/allinone/caption_ti_demo.py \
#       --cfg-options load_from=work_dirs/pretrain_ti_demo/iter_60.pth
#   python tools/test.py configs/allinone/caption_ti_demo.py \
#       work_dirs/caption_ti_demo/iter_100.pth
_base_ = [
    '../_base_/models/allinone_b_caption.py',
    '../_base_/datasets/caption_msrvtt.py',
    '../_base_/schedules/caption_finetune.py',
]

model = dict(
    backbone=dict(arch='tiny', drop_rate=0.0, drop_path_rate=0.0),
    label_smoothing=0.0)

max_iters = 100
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

# 112x112 crops (the 224 position table is interpolated; 4x fewer tokens
# than the pre-training's 224, so the fine-tuning fits a few CPU minutes)
img_size = 112
meta_keys = _base_.meta_keys
train_pipeline = [
    dict(type='SafeDecordInit'),
    dict(type='mmaction.UniformSample', clip_len=3, num_clips=1,
         test_mode=False),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(-1, int(img_size * 1.2))),
    dict(type='mmaction.RandomCrop', size=img_size),
    dict(type='TokenizeText', tokenizer=_base_.tokenizer, max_length=40),
    dict(type='PackVideoTextInputs', meta_keys=meta_keys),
]
test_pipeline = [
    dict(type='SafeDecordInit'),
    dict(type='mmaction.UniformSample', clip_len=3, num_clips=1,
         test_mode=True),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(-1, int(img_size * 1.2))),
    dict(type='mmaction.CenterCrop', crop_size=img_size),
    dict(type='PackVideoTextInputs', meta_keys=meta_keys),
]
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
    dataset=dict(pipeline=train_pipeline, **demo_data))
val_dataloader = dict(
    batch_size=5,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(pipeline=test_pipeline, test_mode=True, **demo_data))
test_dataloader = val_dataloader
randomness = dict(seed=0)
work_dir = './work_dirs/caption_ti_demo'
