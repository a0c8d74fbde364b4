# Zero-shot classification of the five demo videos into their five actions
# (data/demo/annotations/actions/) with All-in-One-Ti, on CPU. With the demo
# pre-training checkpoint (python tools/train.py
# configs/allinone/pretrain_ti_demo.py):
#   python tools/test.py configs/recognition/zero-shot-cls_ti_demo.py \
#       work_dirs/pretrain_ti_demo/iter_60.pth
# Smoke-test data: five clips measure nothing about accuracy.
_base_ = ['./zero-shot-cls_b_k400.py']

# The demo data sits next to this config's folder: data/demo in a clone,
# mmallinone/.mim/data/demo in an installed wheel (any working directory).
data_root = '{{ fileDirname }}/../../data/demo'

model = dict(
    backbone=dict(arch='tiny'),
    class_names=data_root + '/annotations/actions/label_map.txt',
    class_chunk=25)
test_dataloader = dict(
    batch_size=5,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        ann_file=data_root + '/annotations/actions/demo_actions_videos.txt',
        data_prefix=dict(video=data_root)))
test_evaluator = dict(
    type='mmaction.AccMetric',
    metric_options=dict(top_k_accuracy=dict(topk=(1, 5))))
