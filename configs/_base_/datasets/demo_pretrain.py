# Demo pre-training data: the 5 shipped videos of data/demo with both
# captions (one sample per (video, caption) in training), val/test = the same
# 5 videos with their first caption. data_root is found from this file's
# folder: data/demo of the clone or of the installed package (any working
# directory).
#
# Variables a child config may read (``_base_.num_frames`` ...); to change
# them, re-declare the pipelines (see mmallinone's README / this file):
#   num_frames  frames per clip S                 (3)
#   img_size    square crop size H = W            (224)
#   max_text_len tokens incl. [CLS]/[SEP]         (40)
#   batch_size  samples per GPU                   (2)
#   num_false_videos false videos per training sample (1): the VTM
#               negatives of model.vtm_negative_source='dataset'
dataset_type = 'VideoTextDataset'
data_root = '{{ fileDirname }}/../../../data/demo'
train_ann_file = 'annotations/pretrain_demo.jsonl'
val_ann_file = 'annotations/val_demo.jsonl'

num_frames = 3
img_size = 224
max_text_len = 40
batch_size = 2
num_workers = 2
num_false_videos = 1

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

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='ResumableInfiniteSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=train_ann_file,
        data_prefix=dict(video=''),
        expand_captions=True,
        num_false_videos=num_false_videos,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=val_ann_file,
        data_prefix=dict(video=''),
        expand_captions=True,
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = val_dataloader
