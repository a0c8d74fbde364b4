# All-in-One-B caption multiple choice: every candidate scored by the
# pre-trained VTM match logit (class 1) of a joint forward; the checkpoint's
# backbone.*, pooler.*, vtm_head.fc.* load as is, nothing is re-initialised
# after loading. Task configs set `num_frames` / `max_text_len` from their
# dataset base.
_base_ = './allinone_b.py'

model = dict(
    _delete_=True,
    type='AllInOneMultipleChoice',
    backbone=_base_.model.backbone,
    pooler=dict(type='AllInOnePooler'),
    vtm_head=dict(type='VTMHead'),
    score_head=None,
    data_preprocessor=_base_.model.data_preprocessor)
