# All-in-One-B fine-tuned on TGIF-QA FrameQA (task_finetune_tgifqa).
# GIFs decoded with Pillow. Metrics: vqa/acc, vqa/acc_in_vocab.
#
# Fine-tune from a pre-training checkpoint (backbone.*, pooler.*, vtm_head.*
# load without mapping):
#   python tools/train.py configs/allinone/vqa_b_tgif_frame.py \
#       --cfg-options load_from=PRETRAIN_CKPT
#   python tools/test.py configs/allinone/vqa_b_tgif_frame.py CKPT
_base_ = [
    '../_base_/models/allinone_b_vqa.py',
    '../_base_/datasets/qa_tgif_frame.py',
    '../_base_/schedules/vqa_finetune.py',
]

model = dict(
    backbone=dict(
        num_frames=_base_.num_frames, max_text_len=_base_.max_text_len),
    vqa_head=dict(num_classes=1541))  # 1540 answers + spare slot
