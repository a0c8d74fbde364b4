# All-in-One-B fine-tuned on TGIF-QA Action (the authors'
# task_finetune_tgif_action_trans): [CLS] question [SEP] option [SEP] per
# option, scored by the mc_vqa MLP, CE over the 5 options, 100 epochs.
# Metric: mc/acc.
#
# Fine-tune from a pre-training checkpoint (backbone.*, pooler.*, vtm_head.*
# load without mapping):
#   python tools/train.py configs/allinone/mcqa_b_tgif_action.py \
#       --cfg-options load_from=PRETRAIN_CKPT
#   python tools/test.py configs/allinone/mcqa_b_tgif_action.py CKPT
_base_ = [
    '../_base_/models/allinone_b_mcqa.py',
    '../_base_/datasets/mc_tgif_action.py',
    '../_base_/schedules/mcqa_finetune.py',
]

model = dict(
    backbone=dict(
        num_frames=_base_.num_frames, max_text_len=_base_.max_text_len))
