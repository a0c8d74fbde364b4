# tools/train.py config of tests/engine/test_exact_resume.py: the demo
# pre-training (VTM + MLM + WPA on the five real demo videos, real decoding,
# the real tokenizer) with a tiny All-in-One (2 blocks of width 32, 32x32
# frames), dropout and stochastic depth ON, random crops / flips / caption
# choice / MLM masks / false videos drawn in 2 dataloader workers. Run from
# the repository root; `tests/engine` must be on PYTHONPATH (freeze hook).
_base_ = ['../../configs/allinone/pretrain_ti_demo.py']
custom_imports = dict(imports=['kill_resume_components'],
                      allow_failed_imports=False)

num_frames = 2
img_size = 32
max_text_len = 16
model = dict(
    backbone=dict(
        arch=dict(embed_dims=32, num_layers=2, num_heads=2, _delete_=True),
        img_size=img_size, patch_size=16, num_frames=num_frames,
        max_text_len=max_text_len, drop_rate=0.1, drop_path_rate=0.1),
    wpa_loss=dict(iterations=5))

tokenizer = dict(type='BertWordPieceTokenizer')
train_pipeline = [
    dict(type='SafeDecordInit', min_frames=num_frames),
    dict(type='mmaction.UniformSample', clip_len=num_frames, num_clips=1,
         test_mode=False),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(-1, 40)),
    dict(type='mmaction.RandomResizedCrop', area_range=(0.5, 1.0)),
    dict(type='mmaction.Resize', scale=(img_size, img_size),
         keep_ratio=False),
    dict(type='mmaction.Flip', flip_ratio=0.5),
    dict(type='TokenizeText', tokenizer=tokenizer, max_length=max_text_len),
    dict(type='MaskTokensForMLM', tokenizer=tokenizer, mlm_probability=0.15,
         whole_word=True),
    dict(type='PackVideoTextInputs'),
]
train_dataloader = dict(
    batch_size=2, num_workers=2, persistent_workers=True,
    dataset=dict(pipeline=train_pipeline))

max_iters = 6
train_cfg = dict(type='ResumableIterBasedTrainLoop', max_iters=max_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=2),
    dict(type='LinearLR', start_factor=1.0, end_factor=0.1, by_epoch=False,
         begin=2, end=max_iters),
]
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(interval=3, max_keep_ckpts=3, save_last=True))
# the raw loss of each iteration, at full precision, in scalars.json
log_processor = dict(window_size=1, num_digits=12)
randomness = dict(seed=0)
