# DiDeMo paragraph-to-video retrieval (official localisation files; loader
# input files in docs/datasets/retrieval.md).
# A video's descriptions are joined into one paragraph; max_text_len 80 as the
# authors. Loaders, pipelines and metric: retrieval_common_80tok.py.
_base_ = ['./retrieval_common_80tok.py']

data_root = 'data/didemo'

# what the three splits share (a `__` name stays out of the resolved config)
__dataset = dict(type='DiDeMoRetrievalDataset', data_root=data_root,
                 data_prefix=dict(video='videos'))
train_dataloader = dict(
    dataset=dict(__dataset, ann_file='annotations/train_data.json'))
val_dataloader = dict(
    dataset=dict(__dataset, ann_file='annotations/val_data.json'))
test_dataloader = dict(
    dataset=dict(__dataset, ann_file='annotations/test_data.json'))
