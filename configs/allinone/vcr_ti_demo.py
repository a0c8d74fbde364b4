# CPU demo of VCR (All-in-One-Ti) on the hand-made fixture of
# tests/data/vcr (official VCR format, one frame of a shared video with
# 5 annotated objects, 3 questions): 4 fine-tuning iterations, then
# validation / test print vcr/q2a, vcr/qa2r and vcr/q2ar. Train = test:
# a smoke test only. Images at 192x112 (half the B config's 384x224) to keep
# it short on a CPU; objects tinted by their polygons (mode='mask'). Set
# test_dataloader.dataset.pipeline.1.vis_dir=DIR to write the marked images.
#   python tools/train.py configs/allinone/vcr_ti_demo.py
#   python tools/test.py configs/allinone/vcr_ti_demo.py \
#       work_dirs/vcr_ti_demo/iter_4.pth
_base_ = ['./vcr_b_vcr.py']

model = dict(backbone=dict(arch='tiny', drop_rate=0.0, drop_path_rate=0.0))

max_iters = 4
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
    logger=dict(interval=1),
    checkpoint=dict(by_epoch=False, interval=max_iters, save_best=None))
log_processor = dict(by_epoch=False)

img_scale = (192, 112)
tokenizer = dict(type='BertWordPieceTokenizer')
pipeline = [
    dict(type='LoadImageAsClip', clip_len=1),
    dict(type='VCRMarkEntities', mode='mask', alpha=0.3, thickness=2,
         text_style='name_index'),
    dict(type='mmaction.Resize', scale=img_scale, keep_ratio=False),
    dict(type='TokenizeCandidates', tokenizer=tokenizer, max_length=40,
         prefix_key='question'),
    dict(type='TokenizeCandidates', tokenizer=tokenizer, max_length=40,
         prefix_key='qa_prefix', candidates_key='rationale_candidates',
         output_key='rationale_ids'),
    dict(type='PackVCRInputs'),
]
demo_data = dict(data_root='tests/data/vcr', pipeline=pipeline)
train_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(_delete_=True, type='InfiniteSampler', shuffle=True),
    dataset=dict(ann_file='train.jsonl', **demo_data))
val_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(ann_file='val.jsonl', **demo_data))
test_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(ann_file='val.jsonl', **demo_data))
randomness = dict(seed=0)
work_dir = './work_dirs/vcr_ti_demo'
