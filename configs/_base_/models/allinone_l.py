# All-in-One-L: the B model (allinone_b.py) with a ViT-L/16 (large) width,
# depth and heads; everything else (rolling, heads, losses, preprocessor) is
# shared.
_base_ = './allinone_b.py'

model = dict(backbone=dict(arch='large'))
