# All-in-One-B fine-tuned for Ego4D narration multiple choice (the
# authors' task_finetune_ego4dchoice: 4 options, 10 epochs). Metric: mc/acc.
#
# Fine-tune from a pre-training checkpoint (backbone.*, pooler.*, vtm_head.*
# load without mapping):
#   python tools/train.py configs/allinone/mc_b_ego4d.py \
#       --cfg-options load_from=PRETRAIN_CKPT
#   python tools/test.py configs/allinone/mc_b_ego4d.py CKPT
_base_ = [
    '../_base_/models/allinone_b_mc.py',
    '../_base_/datasets/mc_ego4d.py',
    '../_base_/schedules/mc_finetune.py',
]

model = dict(
    backbone=dict(
        num_frames=_base_.num_frames, max_text_len=_base_.max_text_len))
