# The synthetic motion-direction benchmark (tools/data/synthetic/
# generate_motion.py): 3 frames of an 8x64 strip of 8 cells, label 0 = the
# block moves left, 1 = right. Decoded clips are cached in memory and on disk
# (CachedVideoInit / CachedVideoDecode, <data_root>/decoded_cache, shared by
# runs and processes) so that training is not bound by decoding the same
# tiny videos thousands of times. All frames are used, in
# order, in training and test: TSN-style SampleFrames (clip_len=1,
# num_clips=3) takes the middle frame of each of 3 segments = frames 0, 1, 2.
# (mmaction2's UniformSample would repeat frames of a 3-frame video:
# [0, 1, 1] in test mode, e.g. [1, 1, 1] in training, and erase the motion.)
data_root = 'data/synthetic_motion'
num_frames = 3
batch_size = 64

pipeline = [
    dict(type='CachedVideoInit', cache_dir=data_root + '/decoded_cache'),
    dict(
        type='mmaction.SampleFrames',
        clip_len=1,
        frame_interval=1,
        num_clips=num_frames,
        test_mode=True),
    dict(type='CachedVideoDecode'),
    dict(type='PackVideoTextInputs'),
]

# what both splits share (a `__` name stays out of the resolved config)
__dataset = dict(type='VideoTextDataset', data_root=data_root,
                 data_prefix=dict(video=''), label_key='label',
                 pipeline=pipeline)
train_dataloader = dict(
    batch_size=batch_size,
    num_workers=0,
    sampler=dict(type='ResumableInfiniteSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(__dataset, ann_file='train.jsonl'))
val_dataloader = dict(
    batch_size=256,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(__dataset, ann_file='test.jsonl', test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(
    type='mmaction.AccMetric',
    metric_list=('top_k_accuracy', ),
    metric_options=dict(top_k_accuracy=dict(topk=(1, ))))
test_evaluator = val_evaluator
