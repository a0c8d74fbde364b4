# ActivityNet Captions paragraph-to-video retrieval (loader input
# files in docs/datasets/retrieval.md).
# Standard protocol: train on train.json, test on val_1.json; val_2.json is the
# separate validation set. Videos decoded with decord. Paragraphs of up to 80
# tokens; loaders, pipelines and metric: retrieval_common_80tok.py.
_base_ = ['./retrieval_common_80tok.py']

data_root = 'data/activitynet'

# what the three splits share (a `__` name stays out of the resolved config)
__dataset = dict(type='ActivityNetRetrievalDataset', data_root=data_root,
                 data_prefix=dict(video='videos'))
train_dataloader = dict(
    dataset=dict(__dataset, ann_file='annotations/train.json'))
val_dataloader = dict(
    dataset=dict(__dataset, ann_file='annotations/val_2.json'))
test_dataloader = dict(
    dataset=dict(__dataset, ann_file='annotations/val_1.json'))
