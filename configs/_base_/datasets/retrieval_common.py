# Shared part of the text-video retrieval datasets (retrieval_*.py; loader
# input files in docs/datasets/retrieval.md): frames, text length, views,
# loaders, pipelines and RetrievalMetric. Each dataset file inherits it (or
# retrieval_common_80tok.py) and fills in its loaders' `dataset`.
# Training: one sample per video, a random caption per access (train
# pipeline, random frames in each of S segments). Val/test: one sample per
# video with ALL its captions (TokenizeCaptions), uniform deterministic
# frames and `num_views` shifted clips whose similarity matrices
# the RetrievalMetric averages (the authors' `retrieval_views`).
#
# Variables a child config may read (``_base_.num_frames`` ...):
#   num_frames S (3), img_size (224), max_text_len (40),
#   num_views test views (3), batch_size per GPU (6).
_base_ = ['./loaders_common.py']

num_frames = 3
img_size = 224
max_text_len = 40
num_views = 3
batch_size = 6
num_workers = 4

tokenizer = dict(type='BertWordPieceTokenizer')

train_pipeline = [
    dict(type='SafeDecordInit'),
    dict(
        type='mmaction.UniformSample',
        clip_len=num_frames,
        num_clips=1,
        test_mode=False),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(-1, int(img_size * 1.2))),
    dict(type='mmaction.RandomCrop', size=img_size),
    dict(type='TokenizeText', tokenizer=tokenizer, max_length=max_text_len),
    dict(type='PackRetrievalInputs'),
]
test_pipeline = [
    dict(type='SafeDecordInit'),
    dict(
        type='mmaction.UniformSample',
        clip_len=num_frames,
        num_clips=num_views,
        test_mode=True),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(-1, int(img_size * 1.2))),
    dict(type='mmaction.CenterCrop', crop_size=img_size),
    dict(type='TokenizeCaptions', tokenizer=tokenizer,
         max_length=max_text_len),
    dict(type='PackRetrievalInputs'),
]
val_pipeline = test_pipeline

train_dataloader = dict(batch_size=batch_size, num_workers=num_workers,
                        dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=batch_size, num_workers=num_workers,
                      dataset=dict(pipeline=val_pipeline, test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='RetrievalMetric', ties='pessimistic')
test_evaluator = val_evaluator
