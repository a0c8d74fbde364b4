# Zero-shot action classification with All-in-One-B on Kinetics-400 (the
# paper's rule: class names as text, the highest score wins): every class
# name goes into `prompt`, each (clip, class) pair runs one joint forward and
# is scored by the pre-trained VTM match logit (score='vtm'), or clip and
# names are encoded separately and compared by cosine (score='cosine').
# Evaluation only:
#   python tools/test.py configs/recognition/zero-shot-cls_b_k400.py \
#       pretrained/all-in-one-base.ckpt
# Data: mmaction2's VideoDataset list (read by RobustVideoDataset, its
# checked subclass) ("<video> <label>") and a label map
# with one class name a line in label order (mmaction2's
# tools/data/kinetics/label_map_k400.txt). Runs in mmallinone's scope
# (our model and data preprocessor); mmaction2's parts carry the prefix.
_base_ = ['../_base_/default_runtime.py']

num_frames = 3
img_size = 224
class_names = 'data/kinetics400/label_map_k400.txt'
data_root = 'data/kinetics400/videos_val'
ann_file = 'data/kinetics400/kinetics400_val_list_videos.txt'

model = dict(
    type='AllInOneZeroShotClassifier',
    backbone=dict(
        type='AllInOneTransformer',
        arch='base',
        img_size=img_size,
        num_frames=num_frames,
        max_text_len=40,
        temporal_mode='rolling',
        ttr_cfg=dict(type='TemporalTokenRoll', strategy='block', n_div=8)),
    class_names=class_names,
    prompt='a person is {}.',
    score='vtm',
    class_chunk=100,
    pooler=dict(type='AllInOnePooler'),
    vtm_head=dict(type='VTMHead'),
    data_preprocessor=dict(
        type='VideoTextDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375]))

test_pipeline = [
    dict(type='SafeDecordInit'),
    dict(type='mmaction.UniformSample', clip_len=num_frames, num_clips=1,
         test_mode=True),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(-1, int(img_size * 1.2))),
    dict(type='mmaction.CenterCrop', crop_size=img_size),
    dict(type='PackVideoTextInputs'),
]
test_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type='RobustVideoDataset',
        ann_file=ann_file,
        data_prefix=dict(video=data_root),
        pipeline=test_pipeline,
        test_mode=True))
test_evaluator = dict(type='mmaction.AccMetric')
test_cfg = dict(type='TestLoop')
