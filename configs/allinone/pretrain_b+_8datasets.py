# All-in-One-B+ image-video co-training on 8 datasets (# CoTraining `task_mlm_vtm_cotrain_seven`; the authors' README counts 8 with
# SBU): videos from WebVid-2.5M + YT-Temporal-180M + HowTo100M, images from
# CC3M + CC12M + Visual Genome + COCO captions + SBU. Each side is a
# ConcatDataset (sampled in proportion to the datasets' sizes, as the
# authors); every micro-iteration takes one video batch and one image batch
# and sums their losses. Everything else as pretrain_b+_cc3m_webvid.py.
#
#   tools/dist_train.sh configs/allinone/pretrain_b+_8datasets.py 8
#
# Data layouts: configs/_base_/datasets/webvid_howto_pretrain.py (WebVid,
# HowTo100M), configs/_base_/datasets/image_text_pretrain.py (images) and,
# for YT-Temporal (the authors' layout):
#   data/yttemporal/annotations/train_success_2000000.csv  column `Name`
#   data/yttemporal/videos/<subset>/data/<id>.mp4
#   data/yttemporal/videos/<subset>/annotations/<id>.json   ASR words
_base_ = ['./pretrain_b+_cc3m_webvid.py']

yttemporal_train = dict(
    type='YTTemporalDataset',
    data_root='data/yttemporal',
    ann_file='annotations/train_success_2000000.csv',
    data_prefix=dict(video='videos'),
    annotation_tmpl='{subset}/annotations/{id}.json',
    min_window=10.0,
    max_window=15.0,
    num_false_videos=_base_.num_false_videos,
    # samples inside the chosen ASR window (RestrictToClipWindow)
    pipeline=_base_.train_pipeline)

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            _base_.webvid_train, yttemporal_train, _base_.howto_train
        ]))
train_cfg = dict(
    other_loaders=dict(
        image=dict(
            dataset=dict(
                _delete_=True,
                type='ConcatDataset',
                datasets=[
                    _base_.cc3m_train, _base_.cc12m_train, _base_.vg_train,
                    _base_.coco_train, _base_.sbu_train
                ]))))
