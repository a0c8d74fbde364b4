# All-in-One-B zero-shot text-video retrieval: a *pre-training* checkpoint
# evaluated with no fine-tuning (paper Fig. 7). The pooled unimodal features
# (pre-trained pooler on the text-only [CLS] and on the video-only visual CLS)
# rank by cosine similarity; the pre-trained VTM head, unchanged, re-ranks the
# top-k candidates of every query on the joint path. Task configs set
# `num_frames` / `max_text_len` from their dataset base.
_base_ = './allinone_b.py'

model = dict(
    _delete_=True,
    type='AllInOneZeroShotRetrieval',
    backbone=_base_.model.backbone,
    pooler=dict(type='AllInOnePooler'),
    vtm_head=dict(type='VTMHead'),  # the pre-trained VTM head, unchanged
    data_preprocessor=_base_.model.data_preprocessor)
