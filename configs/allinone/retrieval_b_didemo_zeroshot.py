# Zero-shot All-in-One-B text-video retrieval on DiDeMo (test split, paragraph-to-video):
# a *pre-training* checkpoint evaluated with no fine-tuning (paper Fig. 7).
# Two rankings side by side: t2v/... v2t/... (cosine similarity of the pooled
# unimodal features) and rerank/t2v/... rerank/v2t/... (the pre-trained VTM
# head on the joint path over the top-k unimodal candidates of every query);
# models/allinone_b_zeroshot_retrieval.py, schedules/retrieval_zeroshot.py.
#
#   python tools/test.py configs/allinone/retrieval_b_didemo_zeroshot.py \
#       PRETRAIN_CKPT
_base_ = [
    '../_base_/models/allinone_b_zeroshot_retrieval.py',
    '../_base_/datasets/retrieval_didemo.py',
    '../_base_/schedules/retrieval_zeroshot.py',
]

model = dict(
    backbone=dict(
        num_frames=_base_.num_frames, max_text_len=_base_.max_text_len))
# test only: no training or validation data
train_dataloader = None
val_dataloader = None
val_evaluator = None
