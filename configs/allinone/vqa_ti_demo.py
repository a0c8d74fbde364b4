# CPU demo of open-ended QA (All-in-One-Ti) on the 5 videos of data/demo in
# the official MSRVTT-QA format (data/demo/annotations/msrvtt_qa/, videos
# symlinked as data/demo/msrvtt/videos/all/video<N>.mp4): 20 fine-tuning
# iterations, then validation / test print vqa/acc and vqa/acc_in_vocab (the
# test split holds one out-of-vocabulary question, so the two differ).
#   python tools/train.py configs/allinone/pretrain_ti_demo.py
#   python tools/train.py configs/allinone/vqa_ti_demo.py \
#       --cfg-options load_from=work_dirs/pretrain_ti_demo/iter_60.pth
#   python tools/test.py configs/allinone/vqa_ti_demo.py \
#       work_dirs/vqa_ti_demo/iter_20.pth
_base_ = ['./vqa_b_msrvtt_qa.py']

model = dict(
    backbone=dict(arch='tiny', drop_rate=0.0, drop_path_rate=0.0),
    vqa_head=dict(num_classes=9))  # the demo vocabulary has 9 answers
answer_vocab = 'annotations/msrvtt_qa/answer_vocab.json'

max_iters = 20
train_cfg = dict(
    _delete_=True, type='IterBasedTrainLoop', max_iters=max_iters,
    val_interval=max_iters)
optim_wrapper = dict(optimizer=dict(lr=5e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, end_factor=1.0, by_epoch=False,
         begin=0, end=2),
    dict(type='LinearLR', start_factor=1.0, end_factor=0.05,
         by_epoch=False, begin=2, end=max_iters),
]
default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(by_epoch=False, interval=max_iters, save_best=None))
log_processor = dict(by_epoch=False)

# The demo data sits next to this config's folder: data/demo in a clone,
# mmallinone/.mim/data/demo in an installed wheel (any working directory).
data_root = '{{ fileDirname }}/../../data/demo'
demo_data = dict(
    data_root=data_root, data_prefix=dict(video='msrvtt/videos/all'))
train_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(_delete_=True, type='InfiniteSampler', shuffle=True),
    dataset=dict(ann_file='annotations/msrvtt_qa/train_qa.json', answer_vocab=answer_vocab,
                 **demo_data))
val_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(ann_file='annotations/msrvtt_qa/val_qa.json', answer_vocab=answer_vocab,
                 **demo_data))
test_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(ann_file='annotations/msrvtt_qa/test_qa.json', answer_vocab=answer_vocab,
                 **demo_data))
randomness = dict(seed=0)
work_dir = './work_dirs/vqa_ti_demo'
