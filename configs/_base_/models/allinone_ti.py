# All-in-One-Ti: the B model (allinone_b.py) with a ViT-Ti/16 (tiny) width,
# depth and heads; everything else (rolling, heads, losses, preprocessor) is
# shared.
_base_ = './allinone_b.py'

model = dict(backbone=dict(arch='tiny'))
