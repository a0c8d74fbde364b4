# All-in-One-B text-video retrieval model: the B backbone, pooler and the
# pre-training VTM head (backbone.*, pooler.*, vtm_head.fc.* load from a
# pre-training checkpoint without mapping), two 512-d projections for the
# symmetric contrastive loss (tau 0.05, gathered across GPUs) and VTM ranking
# of the true caption against 15 in-batch negatives. Task configs set
# `num_frames` / `max_text_len` from their dataset base and the loss weights.
_base_ = './allinone_b.py'

model = dict(
    _delete_=True,
    type='AllInOneRetrieval',
    backbone=_base_.model.backbone,
    pooler=dict(type='AllInOnePooler'),
    vtm_head=dict(type='VTMHead'),
    embed_dims=512,
    contrastive_loss=dict(
        type='VideoTextContrastiveLoss',
        temperature=0.05,
        learnable_temperature=False,
        gather=True),
    loss_weights=dict(itc=1.0, vtm=1.0),
    vtm_negatives='random',
    num_vtm_negatives=15,
    data_preprocessor=_base_.model.data_preprocessor)
