# All-in-One-B+ image-video co-training on WebVid-2.5M + CC3M, the authors'
# B+ "2 datasets" recipe (CoTraining `task_mlm_vtm_cotrain` with
# `step200k`): every micro-iteration takes one WebVid batch (3 frames) and
# one CC3M batch (1 frame: no token rolling, no temporal embedding) and sums
# their VTM + MLM (+ WPA 0.1) losses; all parameters and heads shared;
# 2048 videos + 2048 images per optimizer step, 200k steps, AdamW 1e-4,
# 10 % warm-up then linear decay, fp16.
#
#   tools/dist_train.sh configs/allinone/pretrain_b+_cc3m_webvid.py 8
#
# 8 GPUs x 16 videos (+ 16 images) x 16 accumulation steps = 2048 + 2048.
# The authors ran 8 GPUs x 4 x 64 accumulation steps; per-GPU batch and
# accumulation only trade memory for time. On another number of GPUs edit
# `num_gpus` / `per_gpu_batch_size`: everything derived is recomputed here.
# The image:video ratio: `image_batch_size` (samples per step) and
# `model.source_loss_weights`; separate VTM / MLM heads for images (paper
# Table 9, "not shared"): `model.share_heads=False`.
#
# Data layout: configs/_base_/datasets/webvid_howto_pretrain.py (WebVid) and
# configs/_base_/datasets/image_text_pretrain.py (CC3M).
_base_ = [
    '../_base_/models/allinone_b.py',
    '../_base_/datasets/webvid_howto_pretrain.py',
    '../_base_/datasets/image_text_pretrain.py',
    '../_base_/schedules/pretrain_200k.py',
    '../_base_/default_runtime.py',
]

# ---- batch arithmetic (MMEngine counts micro-iterations) -------------------
global_batch_size = 2048  # per source and optimizer step (authors' 2048)
per_gpu_batch_size = 16  # videos per GPU and micro-iteration
image_batch_size = 16  # images per GPU and micro-iteration (1:1 as authors)
num_gpus = 8
accumulative_counts = max(1, global_batch_size //
                          (per_gpu_batch_size * num_gpus))  # 16
optimizer_steps = 200_000
max_iters = optimizer_steps * accumulative_counts
warmup_iters = int(0.1 * max_iters)

model = dict(
    share_heads=True,
    source_loss_weights=dict(video=1.0, image=1.0),
    data_preprocessor=dict(
        type='MultiSourceDataPreprocessor',
        # the authors normalise co-training images with 0.5 / 0.5
        source_stats=dict(image=dict(mean=[127.5] * 3, std=[127.5] * 3))))

train_dataloader = dict(
    batch_size=per_gpu_batch_size,
    num_workers=8,
    sampler=dict(type='ResumableInfiniteSampler', shuffle=True),
    dataset=dict(_base_.webvid_train, _delete_=True))
image_train_dataloader = dict(
    _base_.image_train_dataloader,
    batch_size=image_batch_size,
    num_workers=8,
    dataset=_base_.cc3m_train)
train_cfg = dict(
    _delete_=True,
    type='CoTrainingIterBasedTrainLoop',
    main_source='video',
    other_loaders=dict(image=image_train_dataloader),
    max_iters=max_iters,
    val_interval=10_000 * accumulative_counts)
optim_wrapper = dict(
    type='AmpOptimWrapper',
    dtype='float16',
    accumulative_counts=accumulative_counts)
# pretrain_200k.py's warm-up and decay over these iterations
param_scheduler = [
    dict(_base_.param_scheduler[0], end=warmup_iters),
    dict(_base_.param_scheduler[1], begin=warmup_iters, end=max_iters),
]

# held-out VTM / MLM accuracy on WebVid val (one source per validation
# batch; the shared heads)
val_pipeline = _base_.val_pipeline[:-1] + [
    dict(type='MaskTokensForMLM', tokenizer=_base_.tokenizer,
         mlm_probability=0.15, whole_word=True),
    dict(type='PackVideoTextInputs'),
]
val_dataloader = dict(
    batch_size=16,
    dataset=dict(dict(_base_.webvid_val, pipeline=val_pipeline),
                 _delete_=True))
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
