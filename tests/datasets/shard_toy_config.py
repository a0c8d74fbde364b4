# tools/train.py config of the shard training tests (test_shard_training.py):
# the toy ShardRecordingModel on VideoTextShardDataset with real decoding,
# resumed by index. `tests/datasets` (and, for the kill test, `tests/engine`)
# must be on PYTHONPATH; the test sets the shards and the record file.
_base_ = [
    '../../configs/_base_/default_runtime.py',
    '../../configs/_base_/schedules/demo_short.py',
]
custom_imports = dict(
    imports=['shard_toy_components'], allow_failed_imports=False)

model = dict(type='ShardRecordingModel', record_file=None)
pipeline = [
    dict(type='SafeVideoInit', backend='auto'),
    dict(type='mmaction.UniformSample', clip_len=2, num_clips=1,
         test_mode=False),
    dict(type='VideoDecode'),
    dict(type='mmaction.Resize', scale=(16, 16), keep_ratio=False),
    dict(type='PackVideoTextInputs'),
]
train_dataloader = dict(
    dataset=dict(
        type='VideoTextShardDataset', shards='shards/*.tar',
        pipeline=pipeline),
    sampler=dict(type='ResumableInfiniteSampler', shuffle=True, seed=3),
    collate_fn=dict(type='pseudo_collate'),
    batch_size=1,
    num_workers=0,
    persistent_workers=False)
train_cfg = dict(type='ResumableIterBasedTrainLoop', max_iters=6)
optim_wrapper = dict(
    _delete_=True, type='OptimWrapper', optimizer=dict(type='SGD', lr=1e-2))
param_scheduler = []
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(interval=2, max_keep_ckpts=2))
randomness = dict(seed=0)
