# All-in-One-B video captioning fine-tuned on MSR-VTT (6513 / 497 / 2990
# videos, 20 references each).
# Metrics: caption/BLEU-1..4, METEOR, ROUGE-L, CIDEr (pycocoevalcap, PTB
# tokenisation; Java needed for METEOR and the tokenizer).
#
#   python tools/train.py configs/allinone/caption_b_msrvtt.py \
#       --cfg-options load_from=PRETRAIN_CKPT
#   python tools/test.py configs/allinone/caption_b_msrvtt.py CKPT
_base_ = [
    '../_base_/models/allinone_b_caption.py',
    '../_base_/datasets/caption_msrvtt.py',
    '../_base_/schedules/caption_finetune.py',
]
