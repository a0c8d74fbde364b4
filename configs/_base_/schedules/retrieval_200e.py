# Retrieval fine-tuning as the authors: AdamW (0.9, 0.98), wd 0.01 (none on
# biases, norms, position / class / temporal tables), 10 % linear warm-up then
# linear decay to 0 over 200 epochs, 21 accumulation steps (global batch
# 1024 = 6 per GPU x 8 GPUs x 21); validation every 10 epochs (two-stream),
# test with joint VTM re-ranking of the top 16 candidates; the best checkpoint
# by t2v/R@1. Includes the default runtime (its checkpoint / logger hooks are
# adjusted here).
_base_ = ['../default_runtime.py']

# The pre-training checkpoint (backbone.*, pooler.*, vtm_head.fc.* load
# without mapping; mlm_head.* is ignored). Set it on the command line.
load_from = None

max_epochs = 200
warmup_epochs = 20
optim_wrapper = dict(
    type='OptimWrapper',
    accumulative_counts=21,
    optimizer=dict(
        type='AdamW', lr=3e-4, betas=(0.9, 0.98), eps=1e-8,
        weight_decay=0.01),
    paramwise_cfg=dict(
        bias_decay_mult=0.0,
        norm_decay_mult=0.0,
        custom_keys={
            'pos_embed': dict(decay_mult=0.0),
            'cls_token': dict(decay_mult=0.0),
            'temporal_embed': dict(decay_mult=0.0),
        }))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, end_factor=1.0, by_epoch=True,
         begin=0, end=warmup_epochs, convert_to_iter_based=True),
    dict(type='LinearLR', start_factor=1.0, end_factor=0.0, by_epoch=True,
         begin=warmup_epochs, end=max_epochs, convert_to_iter_based=True),
]
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=10)
val_cfg = dict(type='RetrievalValLoop', rerank_k=0)
test_cfg = dict(type='RetrievalTestLoop', rerank_k=16, rerank_batch_size=64)
auto_scale_lr = dict(enable=False, base_batch_size=1024)
randomness = dict(seed=0)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(
        by_epoch=True, interval=10, max_keep_ckpts=2,
        save_best='t2v/R@1', rule='greater'))
log_processor = dict(by_epoch=True)
