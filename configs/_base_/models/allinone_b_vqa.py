# All-in-One-B open-ended video QA model: the pre-training backbone and
# pooler (backbone.*, pooler.*, vtm_head.* load from a pre-training checkpoint
# without mapping) and an answer classifier on the pooled joint feature (CE,
# out-of-vocabulary answers ignored). Task configs set `num_frames` /
# `max_text_len` from their dataset base and the head's `num_classes` (the
# answer vocabulary + the authors' spare slot).
_base_ = './allinone_b.py'

model = dict(
    _delete_=True,
    type='AllInOneVideoQA',
    backbone=_base_.model.backbone,
    pooler=dict(type='AllInOnePooler'),
    vqa_head=dict(type='OpenEndedQAHead', hidden_ratio=0.5, dropout=0.5),
    data_preprocessor=_base_.model.data_preprocessor)
