# All-in-One video pre-training data: WebVid-2.5M + HowTo100M: a ConcatDataset, sampled in proportion to the datasets' sizes.
#
# Expected layout (relative to the repository root; symlinks are fine):
#
#   data/webvid/
#     annotations/results_2M_train.csv   official CSV: videoid,contentUrl,
#                                        duration,page_dir,name
#     annotations/results_2M_val.csv
#     videos/<page_dir>/<videoid>.mp4    (downloaded videos)
#   -- or the authors' meta_data TSVs with ann_format='authors_tsv':
#     annotations/webvid_training_success_full.tsv  (caption \t rel id)
#     videos/train/<rel id>.mp4          (set data_prefix accordingly)
#
#   data/howto100m/
#     annotations/ht100_videos_split.csv      column `Name` (tab or comma)
#     annotations/ht100_videos_split_val.csv
#     howto100m_csv/<video id>.csv            text,start,end per video
#                                             (or caption_file=caption.json)
#     videos/<Name>                           e.g. videos/<id>.mp4
#
# Variables: batch_size (per GPU), num_workers, num_false_videos (1 per
# training sample: the VTM negatives of
# model.vtm_negative_source='dataset'); frames, text length, decoder and
# the rest of the pipelines: pretrain_common.py.
_base_ = ['./pretrain_common.py']

webvid_root = 'data/webvid'
howto_root = 'data/howto100m'

batch_size = 8
num_workers = 8
num_false_videos = 1

# pretrain_common.py's pipelines with RestrictToClipWindow after the
# (header-checked) opening: HowTo100M samples inside the chosen caption's
# [start, end] window; a no-op for WebVid samples (they have no clip_window)
__window = dict(type='RestrictToClipWindow')
train_pipeline = [
    s for t in _base_.train_pipeline
    for s in ([t, __window] if t.type == 'SafeVideoInit' else [t])]
val_pipeline = [
    s for t in _base_.val_pipeline
    for s in ([t, __window] if t.type == 'SafeVideoInit' else [t])]
test_pipeline = val_pipeline

webvid_train = dict(
    type='WebVidDataset',
    data_root=webvid_root,
    ann_file='annotations/results_2M_train.csv',
    ann_format='csv',
    # parse the multi-GB CSV once (rank 0) into a cached memory-mapped
    # index (mmallinone/datasets/ann_index.py, docs/distributed.md)
    ann_index=True,
    data_prefix=dict(video='videos'),
    num_false_videos=num_false_videos,
    pipeline=train_pipeline)
howto_train = dict(
    type='HowTo100MDataset',
    data_root=howto_root,
    ann_file='annotations/ht100_videos_split.csv',
    caption_dir='howto100m_csv',
    min_window=4.0,
    data_prefix=dict(video='videos'),
    num_false_videos=num_false_videos,
    pipeline=train_pipeline)
webvid_val = dict(
    type='WebVidDataset',
    data_root=webvid_root,
    ann_file='annotations/results_2M_val.csv',
    ann_format='csv',
    ann_index=True,
    data_prefix=dict(video='videos'),
    test_mode=True,
    pipeline=val_pipeline)
howto_val = dict(
    type='HowTo100MDataset',
    data_root=howto_root,
    ann_file='annotations/ht100_videos_split_val.csv',
    caption_dir='howto100m_csv',
    data_prefix=dict(video='videos'),
    test_mode=True,
    pipeline=val_pipeline)

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    dataset=dict(type='ConcatDataset', datasets=[webvid_train, howto_train]))
val_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    dataset=dict(type='ConcatDataset', datasets=[webvid_val, howto_val]))
test_dataloader = val_dataloader
