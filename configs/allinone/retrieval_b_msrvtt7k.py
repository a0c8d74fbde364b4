# All-in-One-B text-video retrieval on MSR-VTT (7k train, 1k-A test):
# retrieval_b_msrvtt.py with the 7k training list (CLIP4Clip's
# MSRVTT_train.7k.csv, as _base_/datasets/retrieval_msrvtt7k.py).
#
#   python tools/train.py configs/allinone/retrieval_b_msrvtt7k.py \
#       --cfg-options load_from=<pre-training checkpoint>
#   python tools/test.py configs/allinone/retrieval_b_msrvtt7k.py <fine-tuned
#       checkpoint>
_base_ = ['./retrieval_b_msrvtt.py']

train_dataloader = dict(
    dataset=dict(split_file='annotation/MSRVTT_train.7k.csv'))
