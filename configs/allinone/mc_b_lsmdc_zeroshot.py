# Zero-shot LSMDC multiple choice: the test split scored by
# the VTM match logit of a *pre-training* checkpoint, no fine-tuning. The
# checkpoint's vtm_head.fc.* load unchanged into the model's vtm_head and
# nothing is re-initialised (the authors rely on a storage alias).
# Metric: mc/acc.
_base_ = ['./mc_b_lsmdc.py']

# zero-shot: test only, straight from a pre-training checkpoint
#   python tools/test.py configs/allinone/mc_b_lsmdc_zeroshot.py PRETRAIN_CKPT
train_dataloader = None
train_cfg = None
optim_wrapper = None
param_scheduler = None
val_dataloader = None
val_cfg = None
val_evaluator = None
test_cfg = dict(type='TestLoop')
