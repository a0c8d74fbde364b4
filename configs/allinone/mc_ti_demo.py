# CPU demo of caption multiple choice (All-in-One-Ti) on the 5 videos of
# data/demo in the authors' MSR-VTT MC JSONL format
# (data/demo/annotations/msrvtt_mc/, the 5-way items of captions.json):
# 20 fine-tuning iterations (CE over the 5 VTM match logits), then
# validation / test print mc/acc. Train = test: a smoke test only.
#   python tools/train.py configs/allinone/mc_ti_demo.py \
#       --cfg-options load_from=work_dirs/pretrain_ti_demo/iter_60.pth
#   python tools/test.py configs/allinone/mc_ti_demo.py \
#       work_dirs/mc_ti_demo/iter_20.pth
_base_ = ['./mc_b_msrvtt.py']

model = dict(backbone=dict(arch='tiny', drop_rate=0.0, drop_path_rate=0.0))

max_iters = 20
train_cfg = dict(
    _delete_=True, type='IterBasedTrainLoop', max_iters=max_iters,
    val_interval=max_iters)
optim_wrapper = dict(optimizer=dict(lr=5e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, end_factor=1.0, by_epoch=False,
         begin=0, end=2),
    dict(type='LinearLR', start_factor=1.0, end_factor=0.05,
         by_epoch=False, begin=2, end=max_iters),
]
default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(by_epoch=False, interval=max_iters, save_best=None))
log_processor = dict(by_epoch=False)

# The demo data sits next to this config's folder: data/demo in a clone,
# mmallinone/.mim/data/demo in an installed wheel (any working directory).
data_root = '{{ fileDirname }}/../../data/demo'
demo_data = dict(
    data_root=data_root, data_prefix=dict(video='msrvtt/videos/all'))
train_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(_delete_=True, type='InfiniteSampler', shuffle=True),
    dataset=dict(ann_file='annotations/msrvtt_mc/msrvtt_mc_train.jsonl', **demo_data))
val_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(ann_file='annotations/msrvtt_mc/msrvtt_mc_test.jsonl', **demo_data))
test_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(ann_file='annotations/msrvtt_mc/msrvtt_mc_test.jsonl', **demo_data))
randomness = dict(seed=0)
work_dir = './work_dirs/mc_ti_demo'
