# Linear probe of All-in-One-B on Kinetics-400 inside mmaction2: mmaction2's
# own Recognizer3D, VideoDataset, pipelines, I3DHead, AccMetric and runner
# (the dataset is mmallinone.RobustVideoDataset, mmaction2's VideoDataset
# with checked list lines and logged, counted skips of broken videos, and
# SafeDecordInit is mmaction2's DecordInit that a truncated file cannot
# crash); the backbone is mmallinone's AllInOneVideoBackbone (video-only path,
# frozen: no gradient, eval mode), the head one Linear(768, 400) on the
# frame-averaged visual CLS token. 3 frames (linear-probe_b_8f_k400.py: 8).
#
#   python tools/train.py configs/recognition/linear-probe_b_k400.py
#   python tools/test.py configs/recognition/linear-probe_b_k400.py \
#       work_dirs/linear-probe_b_k400/epoch_50.pth
#
# `pretrained`: a pre-training checkpoint of this project (backbone.* keys)
# or the authors' release (all-in-one-base.ckpt, converted on load).
#
# Data (mmaction2's layout, tools/data/kinetics in mmaction2): annotation
# lines "<video path relative to data_prefix> <label>".
#
# Differences from the authors' "linear evaluation": they train
# the pooler and a 2-layer MLP (Linear-LN-GELU-Linear) and leave the frozen
# backbone in train mode (dropout active); this is a strict linear probe.
# Schedule as the authors' K400 run: AdamW lr 3e-4 (wd 0.01), batch 256,
# 50 epochs, 10 % warm-up then linear decay to 0.
default_scope = 'mmaction'
custom_imports = dict(imports=['mmallinone'], allow_failed_imports=False)

num_frames = 3
img_size = 224
num_classes = 400
embed_dims = 768
pretrained = 'pretrained/all-in-one-base.ckpt'
frozen = True

model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='mmallinone.AllInOneVideoBackbone',
        arch='base',
        img_size=img_size,
        patch_size=16,
        num_frames=num_frames,
        drop_rate=0.1,
        drop_path_rate=0.1,
        temporal_mode='rolling',
        ttr_cfg=dict(type='TemporalTokenRoll', strategy='block', n_div=8),
        roll_video_only=False,  # the authors' video-only path does not roll
        frozen=frozen,
        out_type='cls',
        pretrained=pretrained),
    cls_head=dict(
        type='I3DHead',
        in_channels=embed_dims,
        num_classes=num_classes,
        spatial_type=None,  # the backbone already returns (N, C)
        dropout_ratio=0.0,
        init_std=0.02,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        # ImageNet statistics in 0-255 units, as the pre-training
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))

# ---------------------------------------------------------------- data
dataset_type = 'mmallinone.RobustVideoDataset'
data_root = 'data/kinetics400/videos_train'
data_root_val = 'data/kinetics400/videos_val'
ann_file_train = 'data/kinetics400/kinetics400_train_list_videos.txt'
ann_file_val = 'data/kinetics400/kinetics400_val_list_videos.txt'
ann_file_test = ann_file_val
batch_size = 32  # x 8 GPUs = 256, the authors' batch
num_workers = 8

# frames: UniformSample = one random frame per segment in training, the
# segment centres in test (the authors' 'rand' / 'uniform'); short side
# 1.2 x 224 = 268, random / centre 224 crop (their transform).
train_pipeline = [
    dict(type='mmallinone.SafeDecordInit'),
    dict(type='UniformSample', clip_len=num_frames, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, int(img_size * 1.2))),
    dict(type='RandomCrop', size=img_size),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
val_pipeline = [
    dict(type='mmallinone.SafeDecordInit'),
    dict(type='UniformSample', clip_len=num_frames, num_clips=1,
         test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, int(img_size * 1.2))),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
test_pipeline = val_pipeline

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        num_classes=num_classes,
        ann_file=ann_file_train,
        data_prefix=dict(video=data_root),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        num_classes=num_classes,
        ann_file=ann_file_val,
        data_prefix=dict(video=data_root_val),
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = dict(
    val_dataloader,
    dataset=dict(val_dataloader['dataset'], ann_file=ann_file_test,
                 pipeline=test_pipeline))

val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator

# ------------------------------------------------------------ schedule
max_epochs = 50
base_lr = 3e-4
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_begin=1,
    val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

# A frozen backbone has no gradients (requires_grad=False): AdamW skips its
# parameters and only the head is updated.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=base_lr, betas=(0.9, 0.98), eps=1e-8,
        weight_decay=0.01))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0,
         end=max_epochs // 10, convert_to_iter_based=True),
    dict(type='LinearLR', start_factor=1.0, end_factor=0.0, by_epoch=True,
         begin=max_epochs // 10, end=max_epochs, convert_to_iter_based=True),
]
auto_scale_lr = dict(enable=False, base_batch_size=256)

# ------------------------------------------------------------- runtime
default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # temp file + os.replace: a kill never leaves a truncated checkpoint
    checkpoint=dict(
        type='mmallinone.AtomicCheckpointHook', interval=5, by_epoch=True,
        max_keep_ckpts=3, save_best='auto', save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    sync_buffers=dict(type='SyncBuffersHook'))
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))  # gloo on CPU (mmallinone setup_runtime)
log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='ActionVisualizer', vis_backends=vis_backends)
log_level = 'INFO'
load_from = None
resume = False
