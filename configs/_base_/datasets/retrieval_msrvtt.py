# MSR-VTT retrieval, 9k training split (JSFusion), 1k-A test (loader
# input files in docs/datasets/retrieval.md).
# Val: the official `validate` videos (497, ~20 captions each) of
# MSRVTT_data.json;
# they are also in the 9k training list (the 1k-A test videos are not).
# Loaders, pipelines and metric: retrieval_common.py.
_base_ = ['./retrieval_common.py']

data_root = 'data/msrvtt'

# what the three splits share (a `__` name stays out of the resolved config)
__dataset = dict(type='MSRVTTRetrievalDataset', data_root=data_root,
                 data_prefix=dict(video='videos/all'))
train_dataloader = dict(dataset=dict(
    __dataset, ann_file='annotation/MSRVTT_data.json',
    split_file='annotation/train_list_jsfusion.txt'))
val_dataloader = dict(dataset=dict(
    __dataset, ann_file='annotation/MSRVTT_data.json', split='validate'))
test_dataloader = dict(dataset=dict(
    __dataset, ann_file='annotation/MSRVTT_JSFUSION_test.csv'))
