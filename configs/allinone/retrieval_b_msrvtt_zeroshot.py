# Zero-shot All-in-One-B text-video retrieval on MSR-VTT (1k-A test):
# a *pre-training* checkpoint evaluated with no fine-tuning (paper Fig. 7).
# Two rankings are reported side by side:
#   t2v/... v2t/...         cosine similarity of the pooled unimodal
#                           features (pre-trained pooler on the text-only
#                           [CLS] and on the video-only visual CLS);
#   rerank/t2v/... rerank/v2t/...
#                           the pre-trained VTM head on the joint path,
#                           scoring the top-k candidates of every query by
#                           the unimodal similarity (k = zeroshot_k below).
# Joint scoring of every pair is quadratic (texts x videos forwards); with
# the narrowing it is k forwards per query. Change k on the command line:
# --cfg-options test_cfg.rerank_k=32.
#
#   python tools/test.py configs/allinone/retrieval_b_msrvtt_zeroshot.py \
#       PRETRAIN_CKPT
_base_ = ['./retrieval_b_msrvtt.py']

zeroshot_k = 16
model = dict(
    _delete_=True,
    type='AllInOneZeroShotRetrieval',
    backbone=_base_.model.backbone,
    pooler=dict(type='AllInOnePooler'),
    vtm_head=dict(type='VTMHead'),  # the pre-trained VTM head, unchanged
    data_preprocessor=_base_.model.data_preprocessor)

# test only, straight from a pre-training checkpoint
train_dataloader = None
train_cfg = None
optim_wrapper = None
param_scheduler = None
val_dataloader = None
val_cfg = None
val_evaluator = None
test_cfg = dict(
    type='RetrievalTestLoop', rerank_k=zeroshot_k, rerank_batch_size=64)
