# All-in-One-B pre-training on WebVid-2.5M + HowTo100M, the paper's recipe
# (`task_mlm_itm_webvid_howto step200k`): 3 frames of 224x224,
# 40 text tokens, VTM + MLM (+ WPA at 0.1), AdamW lr 1e-4 / wd 0.01,
# 10 % linear warm-up then linear decay to 0, fp16 mixed precision,
# global batch 4096 for 200k optimizer steps.
#
#   tools/dist_train.sh configs/allinone/pretrain_b_webvid_howto.py 8
#
# 8 GPUs x 32 clips x 16 accumulation steps = 4096 clips per optimizer step.
# On another number of GPUs or per-GPU batch, edit `num_gpus` /
# `per_gpu_batch_size` below: everything derived is recomputed here.
#
# Smoke test on CPU (2 gloo processes, the demo videos in the official
# WebVid and HowTo100M layouts, a tiny model):
#   tools/dist_train.sh configs/allinone/pretrain_b_webvid_howto.py 2 \
#     --no-validate --cfg-options model.backbone.arch=tiny default_hooks.logger.interval=1 \
#     train_dataloader.batch_size=1 train_dataloader.num_workers=0 \
#     train_dataloader.persistent_workers=False train_cfg.max_iters=2 \
#     optim_wrapper.accumulative_counts=1 \
#     train_dataloader.dataset.datasets.0.data_root=data/demo/webvid \
#     train_dataloader.dataset.datasets.1.data_root=data/demo/howto100m
_base_ = [
    '../_base_/models/allinone_b.py',
    '../_base_/datasets/webvid_howto_pretrain.py',
    '../_base_/schedules/pretrain_200k.py',
    '../_base_/default_runtime.py',
]

# ---- batch arithmetic (MMEngine counts micro-iterations) -------------------
global_batch_size = 4096
per_gpu_batch_size = 32
num_gpus = 8
accumulative_counts = max(1, global_batch_size //
                          (per_gpu_batch_size * num_gpus))  # 16
optimizer_steps = 200_000
max_iters = optimizer_steps * accumulative_counts
warmup_iters = int(0.1 * max_iters)

train_dataloader = dict(
    batch_size=per_gpu_batch_size,
    num_workers=8,
    sampler=dict(type='ResumableInfiniteSampler', shuffle=True))
optim_wrapper = dict(
    type='AmpOptimWrapper',
    dtype='float16',
    accumulative_counts=accumulative_counts)
train_cfg = dict(
    type='ResumableIterBasedTrainLoop',
    max_iters=max_iters,
    val_interval=10_000 * accumulative_counts)
# pretrain_200k.py's warm-up and decay over these iterations
param_scheduler = [
    dict(_base_.param_scheduler[0], end=warmup_iters),
    dict(_base_.param_scheduler[1], begin=warmup_iters, end=max_iters),
]

# held-out VTM / MLM accuracy (masked words need masking at evaluation too)
val_pipeline = _base_.val_pipeline[:-1] + [
    dict(type='MaskTokensForMLM', tokenizer=_base_.tokenizer,
         mlm_probability=0.15, whole_word=True),
    dict(type='PackVideoTextInputs'),
]
val_dataloader = dict(
    batch_size=16,
    dataset=dict(datasets=[
        dict(_base_.webvid_val, pipeline=val_pipeline),
        dict(_base_.howto_val, pipeline=val_pipeline),
    ]))
val_cfg = dict(type='ValLoop')
val_evaluator = dict(type='PretrainMetric')
test_dataloader = val_dataloader
test_cfg = dict(type='TestLoop')
test_evaluator = val_evaluator

default_hooks = dict(
    logger=dict(interval=50 * accumulative_counts),
    checkpoint=dict(
        interval=5000 * accumulative_counts,
        max_keep_ckpts=3,
        save_last=True))
randomness = dict(seed=0, diff_rank_seed=True)
auto_scale_lr = dict(enable=False, base_batch_size=global_batch_size)
