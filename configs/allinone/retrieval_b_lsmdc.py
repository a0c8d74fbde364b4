# All-in-One-B text-video retrieval on LSMDC: the authors' recipe
# `task_finetune_ind_itc_irtr_lsmdc_randaug`: symmetric contrastive
# (tau 0.05) + VTM ranking of the true caption
# against 10 negatives (in-batch, at most B-1); lr 1e-4, AdamW (0.9, 0.98), wd
# 0.01,
# 10 % linear warm-up then linear decay to 0, 50 epochs, global batch
# 1024 = 6 per GPU x 8 GPUs x 21 accumulation steps (the contrastive loss sees
# the 48 clips of one step, gathered across GPUs; the authors used 6 per GPU,
# local only). Val/test: two-stream retrieval (3 views averaged), then
# the test loop re-ranks the top-16 candidates of each query with the joint
# VTM path (`rerank/...` metrics).
#
#   python tools/train.py configs/allinone/retrieval_b_lsmdc.py \
#       --cfg-options load_from=<pre-training checkpoint>
#   python tools/test.py configs/allinone/retrieval_b_lsmdc.py <fine-tuned
#       checkpoint>
_base_ = [
    '../_base_/models/allinone_b_retrieval.py',
    '../_base_/datasets/retrieval_lsmdc.py',
    '../_base_/schedules/retrieval_200e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(
        num_frames=_base_.num_frames, max_text_len=_base_.max_text_len),
    num_vtm_negatives=10)

# The pre-training checkpoint (backbone.*, pooler.*, vtm_head.fc.* load
# without mapping; mlm_head.* is ignored). Set it on the command line.
load_from = None

# the shared recipe shortened to 50 epochs (5 of warm-up), lr 1e-4
max_epochs = 50
warmup_epochs = 5
optim_wrapper = dict(optimizer=dict(lr=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, end_factor=1.0, by_epoch=True,
         begin=0, end=warmup_epochs, convert_to_iter_based=True),
    dict(type='LinearLR', start_factor=1.0, end_factor=0.0, by_epoch=True,
         begin=warmup_epochs, end=max_epochs, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=5)

default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(
        by_epoch=True, interval=5, max_keep_ckpts=2,
        save_best='t2v/R@1', rule='greater'))
log_processor = dict(by_epoch=True)
