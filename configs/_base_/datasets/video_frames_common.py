# Frame steps shared by the fine-tuning dataset families (qa_common.py,
# mc_common.py, caption_common.py): S frames decoded by decord (header and
# frame-count checks of SafeDecordInit), the short side resized to 1.2x the
# crop, then a random crop in training and a centre crop in evaluation
# (uniform, deterministic frames). A family appends its text steps and the
# packer; a dataset that decodes otherwise rebuilds its pipelines step type
# by step type (docs/configs.md).
_base_ = ['./loaders_common.py']

num_frames = 3
img_size = 224
max_text_len = 40
tokenizer = dict(type='BertWordPieceTokenizer')

train_frames = [
    dict(type='SafeDecordInit'),
    dict(type='mmaction.UniformSample', clip_len=num_frames, num_clips=1,
         test_mode=False),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(-1, int(img_size * 1.2))),
    dict(type='mmaction.RandomCrop', size=img_size),
]
test_frames = [
    dict(type='SafeDecordInit'),
    dict(type='mmaction.UniformSample', clip_len=num_frames, num_clips=1,
         test_mode=True),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(-1, int(img_size * 1.2))),
    dict(type='mmaction.CenterCrop', crop_size=img_size),
]
