# Synthetic motion direction, caption multiple-choice form on the JOINT
# path: each clip has two candidate captions ("a red block moving to the
# left" / "... right"); each (clip, caption) pair runs one joint forward
# (text joined to every frame, token rolling on the visual part) and the
# VTM match logit of the pooled text-CLS feature scores it; cross-entropy
# over the two candidates. Same tiny backbone as the classification form
# (synthetic-motion_block_ti.py). From scratch it stays at chance for
# hundreds of iterations (word x motion saddle); fine-tuned from the
# classification run of the same mode it is solved (block 99.8 %, time
# average 52.7 % after 600 iterations of batch 32; docs/benchmarks.md):
#   python tools/analysis_tools/temporal_ablation.py --form mc \
#       --modes block none --iters 600 --batch-size 32 \
#       --init-from work_dirs/temporal_ablation
_base_ = ['./synthetic-motion_block_ti.py']

data_root = 'data/synthetic_motion'
tokenizer = dict(type='BertWordPieceTokenizer')
pipeline = [
    dict(type='CachedVideoInit', cache_dir=data_root + '/decoded_cache'),
    dict(
        type='mmaction.SampleFrames',
        clip_len=1,
        frame_interval=1,
        num_clips=3,
        test_mode=True),
    dict(type='CachedVideoDecode'),
    dict(type='TokenizeCandidates', tokenizer=tokenizer, max_length=16),
    dict(type='PackVideoTextInputs'),
]
model = dict(
    _delete_=True,
    type='AllInOneMultipleChoice',
    backbone=dict(
        type='AllInOneTransformer',
        arch=dict(embed_dims=64, num_layers=4, num_heads=4, mlp_ratio=4.0),
        img_size=(8, 64),
        patch_size=8,
        num_frames=3,
        max_text_len=16,
        drop_rate=0.0,
        drop_path_rate=0.0,
        temporal_mode='rolling',
        ttr_cfg=dict(type='TemporalTokenRoll', strategy='block', n_div=8),
        linear_init_std=None,  # fan-in init, as the classification form
        pos_embed_init_std=0.2),  # as the classification form
    vtm_head=dict(type='VTMHead'),
    data_preprocessor=dict(
        type='VideoTextDataPreprocessor',
        mean=[127.5, 127.5, 127.5],
        std=[127.5, 127.5, 127.5]))
train_dataloader = dict(
    dataset=dict(label_key='answer', pipeline=pipeline))
val_dataloader = dict(
    dataset=dict(label_key='answer', pipeline=pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='MultipleChoiceMetric')
test_evaluator = val_evaluator
work_dir = './work_dirs/synthetic-motion-mc_block_ti'
