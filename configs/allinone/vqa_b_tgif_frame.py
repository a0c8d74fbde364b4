# All-in-One-B fine-tuned on TGIF-QA FrameQA (task_finetune_tgifqa).
# GIFs decoded with Pillow. Metrics: vqa/acc, vqa/acc_in_vocab.
#
# Fine-tune from a pre-training checkpoint (backbone.*, pooler.*, vtm_head.*
# load without mapping):
#   python tools/train.py configs/allinone/vqa_b_tgif_frame.py \
#       --cfg-options load_from=PRETRAIN_CKPT
#   python tools/test.py configs/allinone/vqa_b_tgif_frame.py CKPT
_base_ = [
    '../_base_/models/allinone_b.py',
    '../_base_/datasets/qa_tgif_frame.py',
    '../_base_/default_runtime.py',
]

model = dict(
    _delete_=True,
    type='AllInOneVideoQA',
    backbone=dict(
        _base_.model.backbone,
        num_frames=_base_.num_frames,
        max_text_len=_base_.max_text_len),
    pooler=dict(type='AllInOnePooler'),
    vqa_head=dict(
        type='OpenEndedQAHead',
        num_classes=1541,  # 1540 answers + spare slot
        hidden_ratio=0.5,
        dropout=0.5),
    data_preprocessor=_base_.model.data_preprocessor)

max_epochs = 20
warmup_epochs = 2  # 10 % of training
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
        custom_keys={'vqa_head': dict(lr_mult=10.0)}))
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
        save_best='vqa/acc_in_vocab', rule='greater'))
log_processor = dict(by_epoch=True)
auto_scale_lr = dict(enable=False, base_batch_size=512)
