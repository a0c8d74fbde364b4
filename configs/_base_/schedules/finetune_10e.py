# Epoch-based fine-tuning shared by the task configs: AdamW (the pre-training
# betas / eps / weight decay, none on biases and norms), 10 % linear warm-up
# then linear decay to 0 over 10 epochs, validation every epoch, the best
# checkpoint kept (the task's schedule names the metric: `save_best`).
# Includes the default runtime (its checkpoint / logger hooks are adjusted
# here).
#
# `max_epochs` is evaluated here: a schedule with another length re-declares
# `train_cfg` and `param_scheduler` from these (finetune_20e.py shows how).
_base_ = ['../default_runtime.py']

max_epochs = 10
warmup_epochs = 1  # 10 % of training

train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=1e-4, betas=(0.9, 0.98), eps=1e-8,
        weight_decay=0.01),
    paramwise_cfg=dict(bias_decay_mult=0.0, norm_decay_mult=0.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, end_factor=1.0, by_epoch=True,
         begin=0, end=warmup_epochs, convert_to_iter_based=True),
    dict(type='LinearLR', start_factor=1.0, end_factor=0.0, by_epoch=True,
         begin=warmup_epochs, end=max_epochs, convert_to_iter_based=True),
]
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(
        by_epoch=True, interval=1, max_keep_ckpts=1, rule='greater'))
log_processor = dict(by_epoch=True)
auto_scale_lr = dict(enable=False, base_batch_size=256)
