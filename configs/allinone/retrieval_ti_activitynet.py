# All-in-One-Ti text-video retrieval on ActivityNet Captions:
# the recipe of retrieval_b_activitynet.py with the ViT-Ti/16 backbone (only the
# arch differs).
#
#   python tools/train.py configs/allinone/retrieval_ti_activitynet.py \
#       --cfg-options load_from=<pre-training checkpoint>
#   python tools/test.py configs/allinone/retrieval_ti_activitynet.py
#       <fine-tuned checkpoint>
_base_ = ['./retrieval_b_activitynet.py']

model = dict(backbone=dict(arch='tiny'))
