# README command 1: a short All-in-One-Ti pre-training (VTM + MLM + WPA) on
# the five real videos shipped in data/demo (two captions each), on CPU in a
# few minutes. Losses fall as the tiny model memorises the ten pairs; the
# point is a real end-to-end run (decord decoding through mmaction2's
# pipeline, the real tokenizer, MMEngine's runner), not a useful model.
_base_ = [
    '../_base_/models/allinone_ti.py',
    '../_base_/datasets/demo_pretrain.py',
    '../_base_/schedules/demo_short.py',
    '../_base_/default_runtime.py',
]

max_iters = 60
train_cfg = dict(type='ResumableIterBasedTrainLoop', max_iters=max_iters)
# A higher peak lr than the 200k-step recipe so the loss visibly falls in
# 60 iterations; same AdamW betas / eps / weight decay.
optim_wrapper = dict(optimizer=dict(lr=5e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, end_factor=1.0, by_epoch=False,
         begin=0, end=6),
    dict(type='LinearLR', start_factor=1.0, end_factor=0.05, by_epoch=False,
         begin=6, end=max_iters),
]
# no dropout / stochastic depth: ten pairs, a few dozen steps
model = dict(backbone=dict(drop_rate=0.0, drop_path_rate=0.0))

train_dataloader = dict(
    batch_size=4, sampler=dict(type='ResumableInfiniteSampler', shuffle=True))
val_cfg = None
val_dataloader = None
val_evaluator = None
test_cfg = None
test_dataloader = None
test_evaluator = None

default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(interval=max_iters, max_keep_ckpts=1, save_last=True))
randomness = dict(seed=0)
work_dir = './work_dirs/pretrain_ti_demo'
