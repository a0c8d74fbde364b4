# All-in-One-B fine-tuned for MSR-VTT caption multiple choice (the authors' task_finetune_msrvttchoice): candidates scored by the VTM match
# logit, CE over the 5 captions, 10 epochs. Metric: mc/acc.
#
# Fine-tune from a pre-training checkpoint (backbone.*, pooler.*, vtm_head.*
# load without mapping):
#   python tools/train.py configs/allinone/mc_b_msrvtt.py \
#       --cfg-options load_from=PRETRAIN_CKPT
#   python tools/test.py configs/allinone/mc_b_msrvtt.py CKPT
_base_ = [
    '../_base_/models/allinone_b.py',
    '../_base_/datasets/mc_msrvtt.py',
    '../_base_/default_runtime.py',
]

model = dict(
    _delete_=True,
    type='AllInOneMultipleChoice',
    backbone=dict(
        _base_.model.backbone,
        num_frames=_base_.num_frames,
        max_text_len=_base_.max_text_len),
    pooler=dict(type='AllInOnePooler'),
    # candidates scored by the pre-trained VTM match logit (class 1); the
    # checkpoint's vtm_head.fc.* load as is, nothing is re-initialised after
    # loading
    vtm_head=dict(type='VTMHead'),
    score_head=None,
    data_preprocessor=_base_.model.data_preprocessor)

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
    paramwise_cfg=dict(
        bias_decay_mult=0.0,
        norm_decay_mult=0.0,
        custom_keys={'vtm_head': dict(lr_mult=10.0)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, end_factor=1.0, by_epoch=True,
         begin=0, end=warmup_epochs, convert_to_iter_based=True),
    dict(type='LinearLR', start_factor=1.0, end_factor=0.0, by_epoch=True,
         begin=warmup_epochs, end=max_epochs, convert_to_iter_based=True),
]

default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(
        by_epoch=True, interval=1, max_keep_ckpts=1,
        save_best='mc/acc', rule='greater'))
log_processor = dict(by_epoch=True)
auto_scale_lr = dict(enable=False, base_batch_size=256)
