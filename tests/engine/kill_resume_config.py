# tools/train.py config of tests/engine/test_kill_resume.py: the toy model on
# ReadRecordingDataset, resumed by index (ResumableIterBasedTrainLoop +
# ResumableInfiniteSampler), checkpoint every 4 iterations, a log line per
# iteration. `tests/engine` and `tests/tools` must be on PYTHONPATH; the test
# sets the record file (and the freeze hook) with --cfg-options.
_base_ = [
    '../../configs/_base_/default_runtime.py',
    '../../configs/_base_/schedules/demo_short.py',
]
custom_imports = dict(
    imports=['toy_components', 'kill_resume_components'],
    allow_failed_imports=False)

model = dict(type='ToyModel')
train_dataloader = dict(
    dataset=dict(type='ReadRecordingDataset', record_file='reads.txt',
                 num=16),
    sampler=dict(type='ResumableInfiniteSampler', shuffle=True, seed=3),
    batch_size=2,
    num_workers=0,
    persistent_workers=False)
train_cfg = dict(type='ResumableIterBasedTrainLoop', max_iters=12)
optim_wrapper = dict(optimizer=dict(lr=1e-2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=4),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=4, end=12),
]
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(interval=4, max_keep_ckpts=2))
randomness = dict(seed=0)
