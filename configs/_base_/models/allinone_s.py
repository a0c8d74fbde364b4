# All-in-One-S: the B model (allinone_b.py) with a ViT-S/16 (small) width,
# depth and heads; everything else (rolling, heads, losses, preprocessor) is
# shared.
_base_ = './allinone_b.py'

model = dict(backbone=dict(arch='small'))
