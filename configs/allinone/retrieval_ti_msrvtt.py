# All-in-One-Ti text-video retrieval on MSR-VTT (9k train, 1k-A test):
# the recipe of retrieval_b_msrvtt.py with the ViT-Ti/16 backbone (only the
# arch differs).
#
#   python tools/train.py configs/allinone/retrieval_ti_msrvtt.py \
#       --cfg-options load_from=<pre-training checkpoint>
#   python tools/test.py configs/allinone/retrieval_ti_msrvtt.py <fine-tuned
#       checkpoint>
_base_ = ['./retrieval_b_msrvtt.py']

model = dict(backbone=dict(arch='tiny'))
