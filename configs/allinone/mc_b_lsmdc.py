# All-in-One-B fine-tuned for LSMDC caption multiple choice (the
# authors' task_finetune_lsmdcchoice: 20 epochs, lr 1e-5). Metric: mc/acc.
#
# Fine-tune from a pre-training checkpoint (backbone.*, pooler.*, vtm_head.*
# load without mapping):
#   python tools/train.py configs/allinone/mc_b_lsmdc.py \
#       --cfg-options load_from=PRETRAIN_CKPT
#   python tools/test.py configs/allinone/mc_b_lsmdc.py CKPT
_base_ = [
    '../_base_/models/allinone_b_mc.py',
    '../_base_/datasets/mc_lsmdc.py',
    '../_base_/schedules/mc_finetune.py',
]

model = dict(
    backbone=dict(
        num_frames=_base_.num_frames, max_text_len=_base_.max_text_len))

# the authors' LSMDC recipe: 20 epochs (2 of warm-up) at lr 1e-5
max_epochs = 20
warmup_epochs = 2  # 10 % of training
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(_base_.param_scheduler[0], end=warmup_epochs),
    dict(_base_.param_scheduler[1], begin=warmup_epochs, end=max_epochs),
]
optim_wrapper = dict(optimizer=dict(lr=1e-5))
