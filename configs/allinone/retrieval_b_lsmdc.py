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
]

model = dict(
    backbone=dict(
        num_frames=_base_.num_frames, max_text_len=_base_.max_text_len),
    num_vtm_negatives=10)

# the shared recipe shortened to 50 epochs (5 of warm-up), lr 1e-4;
# validation and checkpoints every 5 epochs
max_epochs = 50
warmup_epochs = 5
optim_wrapper = dict(optimizer=dict(lr=1e-4))
param_scheduler = [
    dict(_base_.param_scheduler[0], end=warmup_epochs),
    dict(_base_.param_scheduler[1], begin=warmup_epochs, end=max_epochs),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=5)
default_hooks = dict(checkpoint=dict(interval=5))
