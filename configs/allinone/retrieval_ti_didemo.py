# All-in-One-Ti text-video retrieval on DiDeMo (paragraph-to-video):
# the recipe of retrieval_b_didemo.py with the ViT-Ti/16 backbone (only the
# arch differs).
#
#   python tools/train.py configs/allinone/retrieval_ti_didemo.py \
#       --cfg-options load_from=<pre-training checkpoint>
#   python tools/test.py configs/allinone/retrieval_ti_didemo.py <fine-tuned
#       checkpoint>
_base_ = ['./retrieval_b_didemo.py']

model = dict(backbone=dict(arch='tiny'))
