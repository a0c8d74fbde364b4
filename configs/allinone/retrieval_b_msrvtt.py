# All-in-One-B text-video retrieval on MSR-VTT (9k train, 1k-A test): the
# authors' recipe
# `task_finetune_ind_itc_irtr_msrvtt_randaug`: symmetric
# contrastive (tau 0.05) + VTM ranking of the true caption
# against 15 negatives (in-batch, at most B-1); lr 3e-4, AdamW (0.9, 0.98), wd
# 0.01,
# 10 % linear warm-up then linear decay to 0, 200 epochs, global batch
# 1024 = 6 per GPU x 8 GPUs x 21 accumulation steps (the contrastive loss sees
# the 48 clips of one step, gathered across GPUs; the authors used 6 per GPU,
# local only). Val/test: two-stream retrieval (3 views averaged), then
# the test loop re-ranks the top-16 candidates of each query with the joint
# VTM path (`rerank/...` metrics).
#
#   python tools/train.py configs/allinone/retrieval_b_msrvtt.py \
#       --cfg-options load_from=<pre-training checkpoint>
#   python tools/test.py configs/allinone/retrieval_b_msrvtt.py <fine-tuned
#       checkpoint>
_base_ = [
    '../_base_/models/allinone_b_retrieval.py',
    '../_base_/datasets/retrieval_msrvtt.py',
    '../_base_/schedules/retrieval_200e.py',
]

model = dict(
    backbone=dict(
        num_frames=_base_.num_frames, max_text_len=_base_.max_text_len))
