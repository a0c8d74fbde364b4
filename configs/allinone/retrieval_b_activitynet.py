# All-in-One-B text-video retrieval on ActivityNet Captions
# (paragraph-to-video): the authors' recipe
# `task_finetune_ind_itc_irtr_activitynet_randaug` (spec §6.3): symmetric
# contrastive only (tau 0.05; the
# authors' irtr term is inactive in this recipe: vtm weight 0); lr 3e-4, AdamW
# (0.9, 0.98), wd 0.01,
# 10 % linear warm-up then linear decay to 0, 200 epochs, global batch
# 1024 = 6 per GPU x 8 GPUs x 21 accumulation steps (the contrastive loss sees
# the 48 clips of one step, gathered across GPUs; the authors used 6 per GPU,
# local only). Val/test: two-stream retrieval (3 views averaged), then
# the test loop re-ranks the top-16 candidates of each query with the joint
# VTM path (`rerank/...` metrics).
#
#   python tools/train.py configs/allinone/retrieval_b_activitynet.py \
#       --cfg-options load_from=<pre-training checkpoint>
#   python tools/test.py configs/allinone/retrieval_b_activitynet.py
#       <fine-tuned checkpoint>
_base_ = [
    '../_base_/models/allinone_b.py',
    '../_base_/datasets/retrieval_activitynet.py',
    '../_base_/default_runtime.py',
]

model = dict(
    _delete_=True,
    type='AllInOneRetrieval',
    backbone=dict(
        _base_.model.backbone,
        num_frames=_base_.num_frames,
        max_text_len=_base_.max_text_len),
    pooler=dict(type='AllInOnePooler'),
    vtm_head=dict(type='VTMHead'),  # initialised from pre-training (load_from)
    embed_dims=512,
    contrastive_loss=dict(
        type='VideoTextContrastiveLoss',
        temperature=0.05,
        learnable_temperature=False,
        gather=True),
    loss_weights=dict(itc=1.0, vtm=0.0),
    vtm_negatives='random',
    num_vtm_negatives=10,
    data_preprocessor=_base_.model.data_preprocessor)

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

default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(
        by_epoch=True, interval=10, max_keep_ckpts=2,
        save_best='t2v/R@1', rule='greater'))
log_processor = dict(by_epoch=True)
auto_scale_lr = dict(enable=False, base_batch_size=1024)
randomness = dict(seed=0)
