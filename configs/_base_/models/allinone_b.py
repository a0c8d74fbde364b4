# All-in-One-B pre-training model, the base of every size (Ti/S/L
# override `arch` only): one ViT-B/16 reads text and
# frames; temporal token rolling ('block', n_div 8) before every block;
# VTM + MLM + word-patch alignment (weight 0.1) as the authors train.
model = dict(
    type='AllInOnePretrainer',
    backbone=dict(
        type='AllInOneTransformer',
        arch='base',
        img_size=224,
        patch_size=16,
        num_frames=3,
        max_text_len=40,
        vocab_size=30522,
        drop_rate=0.1,
        drop_path_rate=0.1,
        temporal_mode='rolling',
        ttr_cfg=dict(type='TemporalTokenRoll', strategy='block', n_div=8),
        ttr_start_block=0,
        roll_video_only=False,
        patch_order='raster'),
    pooler=dict(type='AllInOnePooler'),
    vtm_head=dict(type='VTMHead'),
    mlm_head=dict(type='MLMHead', vocab_size=30522),
    wpa_loss=dict(type='WordPatchAlignmentLoss', beta=0.5, iterations=50),
    loss_weights=dict(vtm=1.0, mlm=1.0, wpa=0.1),
    tie_mlm_decoder=False,
    # VTM negatives: a random other video of the dataset, drawn by the
    # training datasets (their base's `num_false_videos = 1`); 'batch': an
    # in-batch derangement (then num_false_videos = 0). The runner refuses
    # a config whose loaders disagree.
    vtm_negative_source='dataset',
    data_preprocessor=dict(
        type='VideoTextDataPreprocessor',
        # ImageNet statistics in 0-255 units, as the authors' video ckpts
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        pad_token_id=0))
