# CPU retrieval demo: All-in-One-Ti fine-tuned for a few iterations on the five
# shipped videos of data/demo (captions.json, two captions each) and tested
# on them: t2v ranks 10 captions against 5 videos, v2t ranks 5 videos against
# 10 captions (a video's rank = its best caption), 2 test views averaged,
# then the top-2 candidates of every query re-ranked by the joint VTM path.
#
#   python tools/train.py configs/allinone/retrieval_ti_demo.py \
#       --cfg-options load_from=<demo pre-training checkpoint>
#   python tools/test.py configs/allinone/retrieval_ti_demo.py <checkpoint>
#
# A demo pre-training checkpoint: python tools/train.py
# configs/allinone/pretrain_ti_demo.py --work-dir work_dirs/pre
# --cfg-options train_cfg.max_iters=2
_base_ = [
    '../_base_/models/allinone_ti.py',
    '../_base_/datasets/retrieval_demo.py',
    '../_base_/default_runtime.py',
]

model = dict(
    _delete_=True,
    type='AllInOneRetrieval',
    backbone=dict(_base_.model.backbone, drop_rate=0.0, drop_path_rate=0.0),
    pooler=dict(type='AllInOnePooler'),
    vtm_head=dict(type='VTMHead'),
    embed_dims=512,
    contrastive_loss=dict(type='VideoTextContrastiveLoss', temperature=0.05),
    loss_weights=dict(itc=1.0, vtm=1.0),
    vtm_negatives='hard',
    num_vtm_negatives=15,
    data_preprocessor=_base_.model.data_preprocessor)
load_from = None

max_iters = 20
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=1e-4, betas=(0.9, 0.98), eps=1e-8,
        weight_decay=0.01))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, end_factor=1.0, by_epoch=False,
         begin=0, end=2),
    dict(type='LinearLR', start_factor=1.0, end_factor=0.0, by_epoch=False,
         begin=2, end=max_iters),
]
train_dataloader = dict(
    batch_size=4, sampler=dict(type='InfiniteSampler', shuffle=True))
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                 val_interval=max_iters)
val_cfg = dict(type='RetrievalValLoop', rerank_k=0)
test_cfg = dict(type='RetrievalTestLoop', rerank_k=2, rerank_batch_size=8)

default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(interval=max_iters, max_keep_ckpts=1, save_last=True))
randomness = dict(seed=0)
work_dir = './work_dirs/retrieval_ti_demo'

# FAISS index of tools/retrieval/build_index.py (exact inner product: five
# videos; e.g. dict(factory='IVF1024,Flat', search_params=dict(nprobe=8))
# for a million, see docs/benchmarks.md)
retrieval_index = dict(
    factory='Flat', metric='ip', search_params=dict(), train_size=100_000)
