# All-in-One-B fine-tuned on TVQA (task_finetune_tvqa): as the
# TGIF Action config, question+option up to 100 tokens, RGB JPEG frames
# of the ts window (uniform at eval). Metric: mc/acc.
#
# Fine-tune from a pre-training checkpoint (backbone.*, pooler.*, vtm_head.*
# load without mapping):
#   python tools/train.py configs/allinone/mcqa_b_tvqa.py \
#       --cfg-options load_from=PRETRAIN_CKPT
#   python tools/test.py configs/allinone/mcqa_b_tvqa.py CKPT
_base_ = [
    '../_base_/models/allinone_b_mcqa.py',
    '../_base_/datasets/mc_tvqa.py',
    '../_base_/schedules/mcqa_finetune.py',
]

# question + option up to 100 tokens: the text position table grows to match
# (a 40-row pre-training table is resized when loaded)
model = dict(
    backbone=dict(
        num_frames=_base_.num_frames, max_text_len=_base_.max_text_len))
