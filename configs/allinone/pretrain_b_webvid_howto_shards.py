# All-in-One-B pre-training, the paper's recipe (pretrain_b_webvid_howto.py:
# same model, schedule, batch arithmetic, pipelines, fp16), reading
# WebVid + HowTo100M from webdataset tar shards instead of loose files.
# Each sample is one byte-range read of its shard (local or s3/gs/http/hf);
# the shard index is built once on rank 0 and cached; resume-by-index and
# DDP sampling are unchanged. Make the shards first:
#
#   python tools/data/make_shards.py \
#       configs/allinone/pretrain_b_webvid_howto.py \
#       data/shards/webvid/train --split train --subset 0 --mode transcode \
#       --short-side 256 --fps 8 --workers 16
#   (--subset 1 -> data/shards/howto100m/train; --split val -> .../val)
#
# (docs/data_preparation.md has the per-dataset commands, Panda-70M /
# InternVid via video2dataset, and remote shard roots), then
#
#   tools/dist_train.sh configs/allinone/pretrain_b_webvid_howto_shards.py 8
#
# A corpus of its own (e.g. Panda-70M): set train_dataloader.dataset to one
# VideoTextShardDataset, e.g. with
#   --cfg-options shard_root=s3://bucket/panda70m
_base_ = [
    './pretrain_b_webvid_howto.py',
    '../_base_/datasets/webvid_howto_shards.py',
]

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            dict(_base_.webvid_shards_train, pipeline=_base_.train_pipeline,
                 num_false_videos=_base_.num_false_videos),
            dict(_base_.howto_shards_train, pipeline=_base_.train_pipeline,
                 num_false_videos=_base_.num_false_videos),
        ]))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            dict(_base_.webvid_shards_val, pipeline=_base_.val_pipeline),
            dict(_base_.howto_shards_val, pipeline=_base_.val_pipeline),
        ]))
test_dataloader = val_dataloader
