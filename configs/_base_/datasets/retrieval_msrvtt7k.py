# MSR-VTT retrieval, 7k training split (Miech et al.), 1k-A test (# loader input files in docs/datasets/retrieval.md).
# Same as retrieval_msrvtt.py except the training list (CLIP4Clip's
# MSRVTT_train.7k.csv).
_base_ = ['./retrieval_msrvtt.py']

train_dataloader = dict(
    dataset=dict(split_file='annotation/MSRVTT_train.7k.csv'))
