# Zero-shot caption multiple choice on the demo data: the test split of
# mc_ti_demo.py scored by the VTM match logit of the demo *pre-training*
# checkpoint (its vtm_head.fc.* load unchanged; nothing is re-initialised).
#   python tools/train.py configs/allinone/pretrain_ti_demo.py
#   python tools/test.py configs/allinone/mc_ti_demo_zeroshot.py \
#       work_dirs/pretrain_ti_demo/iter_60.pth
_base_ = ['./mc_ti_demo.py']

train_dataloader = None
train_cfg = None
optim_wrapper = None
param_scheduler = None
val_dataloader = None
val_cfg = None
val_evaluator = None
test_cfg = dict(type='TestLoop')
work_dir = './work_dirs/mc_ti_demo_zeroshot'
