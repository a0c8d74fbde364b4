# Zero-shot retrieval on the demo data: the test split of retrieval_ti_demo.py
# (10 captions x 5 videos, 2 test views) evaluated with the demo
# *pre-training* checkpoint, no fine-tuning. Reports the pooled unimodal
# cosine ranking (t2v/..., v2t/...) and the pre-trained VTM head on the
# joint path over the top-k unimodal candidates of every query
# (rerank/..., k = zeroshot_k). The numbers on five videos mean nothing; the
# config shows the procedure.
#
#   python tools/train.py configs/allinone/pretrain_ti_demo.py
#   python tools/test.py configs/allinone/retrieval_ti_demo_zeroshot.py \
#       work_dirs/pretrain_ti_demo/iter_60.pth
_base_ = ['./retrieval_ti_demo.py']

zeroshot_k = 3
model = dict(
    _delete_=True,
    type='AllInOneZeroShotRetrieval',
    backbone=_base_.model.backbone,
    pooler=dict(type='AllInOnePooler'),
    vtm_head=dict(type='VTMHead'),
    data_preprocessor=_base_.model.data_preprocessor)

train_dataloader = None
train_cfg = None
optim_wrapper = None
param_scheduler = None
val_dataloader = None
val_cfg = None
val_evaluator = None
test_cfg = dict(
    type='RetrievalTestLoop', rerank_k=zeroshot_k, rerank_batch_size=8)
work_dir = './work_dirs/retrieval_ti_demo_zeroshot'
