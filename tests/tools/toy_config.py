# Tiny config for tests/tools: the toy model of toy_components.py on the
# runtime defaults and the demo schedule (tests/tools must be on PYTHONPATH).
_base_ = [
    '../../configs/_base_/default_runtime.py',
    '../../configs/_base_/schedules/demo_short.py',
]
custom_imports = dict(imports=['toy_components'], allow_failed_imports=False)

model = dict(type='ToyModel')
train_dataloader = dict(
    dataset=dict(type='ToyDataset', num=16),
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_size=2,
    num_workers=0)
train_cfg = dict(max_iters=4)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=2),
]
default_hooks = dict(
    logger=dict(interval=1), checkpoint=dict(interval=2))

# Testing: predictions of the toy model, dumped by `tools/test.py --dump`.
test_dataloader = dict(
    dataset=dict(type='ToyDataset', num=4),
    sampler=dict(type='DefaultSampler', shuffle=False),
    batch_size=2,
    num_workers=0)
test_cfg = dict(type='TestLoop')
test_evaluator = []
