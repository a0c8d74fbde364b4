# Full fine-tuning of All-in-One-B on HMDB51 (split 1) in mmaction2's
# Recognizer3D: the linear-probe config with the backbone unfrozen (the same
# AllInOneVideoBackbone, frozen=False: all parameters trained, dropout and
# stochastic depth active). Head dropout 0.5 as mmaction2's recognizers;
# backbone lr 1e-5, head lr 1e-4 (lr_mult 10 on the head, as the authors'
# fine-tuning recipes); 3 frames.
_base_ = ['./linear-probe_b_hmdb51.py']

model = dict(
    backbone=dict(frozen=False),
    cls_head=dict(dropout_ratio=0.5))
optim_wrapper = dict(
    optimizer=dict(lr=1e-5),
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        custom_keys={
            'cls_head': dict(lr_mult=10.0),
            'backbone.pos_embed': dict(decay_mult=0.0),
            'backbone.cls_token': dict(decay_mult=0.0),
            'backbone.temporal_embed': dict(decay_mult=0.0),
            'backbone.token_type_embeddings': dict(decay_mult=0.0),
        }),
    clip_grad=dict(max_norm=1.0))
