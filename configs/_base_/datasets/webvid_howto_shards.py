# Shard datasets of the pre-training recipe: WebVid(-like) and HowTo100M
# packed into webdataset tar shards by tools/data/make_shards.py, or any
# video2dataset download (Panda-70M, InternVid, HD-VILA, a private WebVid
# copy). See docs/data_preparation.md, "Web-scale corpora as shards".
#
# This file only declares the datasets (no pipeline, no false videos, no
# dataloader), so a config can list it next to a recipe and add the
# recipe's pipelines and VTM false videos:
#   dict(_base_.webvid_shards_train, pipeline=_base_.train_pipeline,
#        num_false_videos=_base_.num_false_videos)
#
# Expected layout (shard_root may be a URL: s3://, gs://, https://, hf://):
#   <shard_root>/webvid/train/*.tar     (make_shards.py --split train)
#   <shard_root>/webvid/val/*.tar       (make_shards.py --split val)
#   <shard_root>/howto100m/train/*.tar
#   <shard_root>/howto100m/val/*.tar
# `shards` also takes brace lists: 'webvid/train/{00000..00999}.tar'.
shard_root = 'data/shards'

webvid_shards_train = dict(
    type='VideoTextShardDataset',
    data_root=shard_root,
    shards='webvid/train/*.tar',
    # video2dataset writes the caption to {key}.txt and {key}.json
    caption_from='auto',
    caption_key='caption',
    # the shard index is built once (rank 0) and cached, like ann_index
    ann_index=True)
howto_shards_train = dict(
    type='VideoTextShardDataset',
    data_root=shard_root,
    shards='howto100m/train/*.tar',
    ann_index=True)
webvid_shards_val = dict(
    type='VideoTextShardDataset',
    data_root=shard_root,
    shards='webvid/val/*.tar',
    test_mode=True)
howto_shards_val = dict(
    type='VideoTextShardDataset',
    data_root=shard_root,
    shards='howto100m/val/*.tar',
    test_mode=True)
