# All-in-One pre-training recipe (`task_mlm_itm_webvid_howto` with
# `step200k`): AdamW lr 1e-4, betas (0.9, 0.98), eps 1e-8, weight decay 0.01,
# 200k optimizer steps on a global batch of 4096 (gradient accumulation),
# 10 % linear warm-up then linear decay to 0, fp16 mixed precision.
#
# MMEngine counts *micro*-iterations (one forward/backward of a per-GPU
# batch): with `accumulative_counts = k` the optimizer steps every k
# iterations, so `max_iters = optimizer_steps * k` and the schedulers'
# `begin`/`end` are in micro-iterations too. Variables of a `_base_` file are
# evaluated in that file: a config that changes `per_gpu_batch_size` or
# `num_gpus` must recompute and re-assign `accumulative_counts`,
# `train_cfg`, `optim_wrapper.accumulative_counts` and `param_scheduler`
# (configs/allinone/pretrain_b_webvid_howto.py shows how).

# ---- batch arithmetic -------------------------------------------------------
global_batch_size = 4096  # authors' `batch_size`
per_gpu_batch_size = 32  # `train_dataloader.batch_size`
num_gpus = 8  # total number of processes (nodes x GPUs per node)
accumulative_counts = max(
    1, global_batch_size // (per_gpu_batch_size * num_gpus))  # 16
optimizer_steps = 200_000
warmup_ratio = 0.1
max_iters = optimizer_steps * accumulative_counts  # micro-iterations
warmup_iters = int(max_iters * warmup_ratio)

# ---- optimizer --------------------------------------------------------------
# No weight decay for biases, normalisation layers and the learned
# embeddings/tokens (custom_keys match parameter names by substring).
no_decay = dict(decay_mult=0.0)
optim_wrapper = dict(
    type='AmpOptimWrapper',  # fp16 autocast + dynamic loss scaling
    loss_scale='dynamic',
    accumulative_counts=accumulative_counts,
    optimizer=dict(
        type='AdamW', lr=1e-4, betas=(0.9, 0.98), eps=1e-8,
        weight_decay=0.01),
    paramwise_cfg=dict(
        bias_decay_mult=0.0,
        norm_decay_mult=0.0,
        custom_keys={
            'pos_embed': no_decay,
            'cls_token': no_decay,
            'temporal_embed': no_decay,
            'type_embed': no_decay,  # token / modality type embeddings
        }),
)

# ---- schedule ---------------------------------------------------------------
train_cfg = dict(type='ResumableIterBasedTrainLoop', max_iters=max_iters)
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-5,
        end_factor=1.0,
        by_epoch=False,
        begin=0,
        end=warmup_iters),
    dict(
        type='LinearLR',
        start_factor=1.0,
        end_factor=0.0,
        by_epoch=False,
        begin=warmup_iters,
        end=max_iters),
]

# `--auto-scale-lr` scales lr by (num_gpus * per-GPU batch) / base_batch_size;
# MMEngine does not count accumulation, so keep it off for the recipe.
auto_scale_lr = dict(enable=False, base_batch_size=global_batch_size)
