# Image-video co-training (All-in-One+) on CPU in a few minutes:
# All-in-One-Ti, VTM + MLM + WPA, every iteration one batch of the 5 demo
# videos (3 frames) and one batch of 10 demo images (frames of those videos,
# data/demo/cc3m, in CC3M's official TSV layout; 1 frame each), losses
# summed. The log shows both sources: `video/loss_vtm`, `image/loss_mlm`, ...
#
#   python tools/train.py configs/allinone/pretrain_ti+_cotrain_demo.py
_base_ = [
    './pretrain_ti_demo.py',
    '../_base_/datasets/image_text_pretrain.py',
]

max_iters = 60
image_loader = dict(
    _base_.image_train_dataloader,
    batch_size=4,
    num_workers=2,
    dataset=dict(
        _base_.cc3m_train,
        data_root='{{ fileDirname }}/../../data/demo/cc3m',
        data_prefix=dict(img='')))
train_cfg = dict(
    _delete_=True,
    type='CoTrainingIterBasedTrainLoop',
    max_iters=max_iters,
    main_source='video',
    other_loaders=dict(image=image_loader))
model = dict(
    # shared heads as the authors' B+ (share_heads=False: separate VTM / MLM
    # heads for images, paper Table 9)
    share_heads=True,
    source_loss_weights=dict(video=1.0, image=1.0),
    data_preprocessor=dict(
        type='MultiSourceDataPreprocessor',
        # images normalised with 0.5 / 0.5 as the authors' co-training
        source_stats=dict(image=dict(mean=[127.5] * 3, std=[127.5] * 3))))
work_dir = './work_dirs/pretrain_ti+_cotrain_demo'
