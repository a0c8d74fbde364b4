# Shared part of the video pre-training datasets (demo_pretrain.py,
# webvid_howto_pretrain.py): frames, text length, video decoder, the train
# pipeline (random resized crops, flips, whole-word MLM masking), the val
# pipeline and the training sampler (the rest of the loaders:
# loaders_common.py). Each dataset file inherits it and fills in its
# loaders' batch size, workers and datasets.
#
# Variables a child config may read (``_base_.num_frames`` ...); to change
# them, re-declare the pipelines (docs/configs.md):
#   num_frames  frames per clip S                 (3)
#   img_size    square crop size H = W            (224)
#   max_text_len tokens incl. [CLS]/[SEP]         (40)
_base_ = ['./loaders_common.py']

num_frames = 3
img_size = 224
max_text_len = 40

# Video decoder: 'auto' (decord if installed, else torchcodec, else PyAV),
# 'decord', 'pyav' or 'torchcodec' -- same frames, see docs/decoders.md.
video_backend = 'auto'

tokenizer = dict(type='BertWordPieceTokenizer')

train_pipeline = [
    # pre-training rejects (skips, with a count) a video shorter than a clip
    # instead of training on copies of its frames
    dict(type='SafeVideoInit', backend=video_backend, min_frames=num_frames),
    dict(
        type='mmaction.UniformSample',
        clip_len=num_frames,
        num_clips=1,
        test_mode=False),
    dict(type='VideoDecode'),
    dict(type='mmaction.Resize', scale=(-1, int(img_size * 1.2))),
    dict(type='mmaction.RandomResizedCrop', area_range=(0.5, 1.0)),
    dict(type='mmaction.Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='mmaction.Flip', flip_ratio=0.5),
    dict(type='TokenizeText', tokenizer=tokenizer, max_length=max_text_len),
    dict(
        type='MaskTokensForMLM',
        tokenizer=tokenizer,
        mlm_probability=0.15,
        whole_word=True),
    dict(type='PackVideoTextInputs'),
]
val_pipeline = [
    dict(type='SafeVideoInit', backend=video_backend),
    dict(
        type='mmaction.UniformSample',
        clip_len=num_frames,
        num_clips=1,
        test_mode=True),
    dict(type='VideoDecode'),
    dict(type='mmaction.Resize', scale=(-1, int(img_size * 1.2))),
    dict(type='mmaction.CenterCrop', crop_size=img_size),
    dict(type='TokenizeText', tokenizer=tokenizer, max_length=max_text_len),
    dict(type='PackVideoTextInputs'),
]
test_pipeline = val_pipeline

# pre-training resumes mid-epoch: the resumable, endless sampler
train_dataloader = dict(sampler=dict(type='ResumableInfiniteSampler'))
