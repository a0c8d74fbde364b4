# A few dozen iterations for the CPU demo (README command 1): AdamW with the
# recipe's betas/eps/weight decay, a short linear warm-up, float32.
max_iters = 40
warmup_iters = 5

no_decay = dict(decay_mult=0.0)
optim_wrapper = dict(
    type='OptimWrapper',
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
            'type_embed': no_decay,
        }),
)

train_cfg = dict(type='ResumableIterBasedTrainLoop', max_iters=max_iters)
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.01,
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

auto_scale_lr = dict(enable=False, base_batch_size=4096)
