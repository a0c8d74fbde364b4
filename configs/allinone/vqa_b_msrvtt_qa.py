# All-in-One-B fine-tuned for open-ended video QA on MSRVTT-QA (the authors' task_finetune_msrvttqa): answer classifier on the pooled joint
# feature, CE with out-of-vocabulary answers ignored, 20 epochs, AdamW
# lr 1e-4 (10x on the classifier), 10 % linear warm-up then linear decay.
# Metrics: vqa/acc (all questions, OOV wrong), vqa/acc_in_vocab (authors).
#
# Fine-tune from a pre-training checkpoint (backbone.*, pooler.*, vtm_head.*
# load without mapping):
#   python tools/train.py configs/allinone/vqa_b_msrvtt_qa.py \
#       --cfg-options load_from=PRETRAIN_CKPT
#   python tools/test.py configs/allinone/vqa_b_msrvtt_qa.py CKPT
_base_ = [
    '../_base_/models/allinone_b_vqa.py',
    '../_base_/datasets/qa_msrvtt.py',
    '../_base_/schedules/vqa_finetune.py',
]

model = dict(
    backbone=dict(
        num_frames=_base_.num_frames, max_text_len=_base_.max_text_len),
    # the 1500-answer vocabulary + the authors' spare slot
    vqa_head=dict(num_classes=1501))
