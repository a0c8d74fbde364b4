# pretrain_ti_demo.py (All-in-One-Ti on the five demo videos) reading
# webdataset shards made from data/demo instead of the loose files:
#
#   python tools/data/make_shards.py configs/allinone/pretrain_ti_demo.py \
#       data/demo_shards --mode transcode --short-side 128 --fps 8 \
#       --samples-per-shard 2
#   python tools/train.py configs/allinone/pretrain_ti_demo_shards.py
#
# The shards may also be served over HTTP (or s3/gs/hf):
#   --cfg-options \
#   'train_dataloader.dataset.shards=http://host:8000/{00000..00002}.tar'
# Frame shards (make_shards.py --mode frames --num-frames 3): replace the
# first three transforms of the pipeline by dict(type='LoadShardFrames',
# clip_len=3).
_base_ = ['./pretrain_ti_demo.py']

demo_shards = 'data/demo_shards/*.tar'

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='VideoTextShardDataset',
        shards=demo_shards,
        num_false_videos=_base_.num_false_videos,
        pipeline=_base_.train_pipeline))
work_dir = './work_dirs/pretrain_ti_demo_shards'
