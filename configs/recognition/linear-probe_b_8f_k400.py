# Linear probe of All-in-One-B on Kinetics-400 with 8 frames (the setting
# of the authors' reported K400 linear number). The 3-frame
# temporal table of the checkpoint is fitted to 8 frames on loading
# (backbone temporal_inflation, 'pad' = the authors' behaviour).
_base_ = ['./linear-probe_b_k400.py']

num_frames = 8
model = dict(backbone=dict(num_frames=num_frames))
train_pipeline = [
    dict(type='mmallinone.SafeDecordInit'),
    dict(type='UniformSample', clip_len=num_frames, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 268)),
    dict(type='RandomCrop', size=224),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
val_pipeline = [
    dict(type='mmallinone.SafeDecordInit'),
    dict(type='UniformSample', clip_len=num_frames, num_clips=1,
         test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 268)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=val_pipeline))
