# All-in-One-B multiple-choice video QA: [CLS] question [SEP] option [SEP]
# per option, every option scored by the authors' mc_vqa MLP on the pooled
# joint feature (set score_head=None and add vtm_head=dict(type='VTMHead') to
# score with the pre-trained VTM match logit instead, models/allinone_b_mc.py).
# Task configs set `num_frames` / `max_text_len` from their dataset base.
_base_ = './allinone_b.py'

model = dict(
    _delete_=True,
    type='AllInOneMultipleChoice',
    backbone=_base_.model.backbone,
    pooler=dict(type='AllInOnePooler'),
    score_head=dict(
        type='MultipleChoiceQAHead', hidden_channels=256, dropout=0.1),
    data_preprocessor=_base_.model.data_preprocessor)
