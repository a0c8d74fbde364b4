# LSMDC retrieval (LSMDC 2016 challenge files; loader input files
# in docs/datasets/retrieval.md).
# Caption = the sentence column; val = LSMDC16_annos_val.csv, test = the
# 1000-clip public test (the authors validated on the test set). Captions of
# up to 80 tokens as the authors; loaders, pipelines and metric:
# retrieval_common_80tok.py.
_base_ = ['./retrieval_common_80tok.py']

data_root = 'data/lsmdc'

# what the three splits share (a `__` name stays out of the resolved config)
__dataset = dict(type='LSMDCRetrievalDataset', data_root=data_root,
                 data_prefix=dict(video='videos'))
train_dataloader = dict(dataset=dict(
    __dataset, ann_file='annotations/LSMDC16_annos_training.csv'))
val_dataloader = dict(dataset=dict(
    __dataset, ann_file='annotations/LSMDC16_annos_val.csv'))
test_dataloader = dict(dataset=dict(
    __dataset, ann_file='annotations/LSMDC16_challenge_1000_publictect.csv'))
