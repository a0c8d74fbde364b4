# MSVD-QA (open-ended video QA), official JSON annotations
# (docs/datasets/qa.md): data/msvd/annotations/msvd_qa/{train,val,test}_qa.json,
# youtube_mapping.txt, answer_vocab.json (1000 answers) and the clips
# data/msvd/YouTubeClips/<youtube_name>.avi.
# Eval: uniform (deterministic) frames, centre crop; val and test separate.
dataset_type = 'MSVDQADataset'
data_root = 'data/msvd'
ann_dir = 'annotations/msvd_qa/'
answer_vocab = ann_dir + 'answer_vocab.json'
video_prefix = 'YouTubeClips'
mapping_file = ann_dir + 'youtube_mapping.txt'

num_frames = 3
img_size = 224
max_text_len = 40
batch_size = 16
num_workers = 4
tokenizer = dict(type='BertWordPieceTokenizer')
meta_keys = ('text', 'video_id', 'filename', 'sample_idx', 'frame_inds',
             'img_shape', 'question', 'answer', 'question_id')

train_pipeline = [
    dict(type='SafeDecordInit'),
    dict(type='mmaction.UniformSample', clip_len=num_frames, num_clips=1,
         test_mode=False),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(-1, int(img_size * 1.2))),
    dict(type='mmaction.RandomCrop', size=img_size),
    dict(type='TokenizeText', tokenizer=tokenizer, max_length=max_text_len),
    dict(type='PackVideoTextInputs', meta_keys=meta_keys),
]
test_pipeline = [
    dict(type='SafeDecordInit'),
    dict(type='mmaction.UniformSample', clip_len=num_frames, num_clips=1,
         test_mode=True),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(-1, int(img_size * 1.2))),
    dict(type='mmaction.CenterCrop', crop_size=img_size),
    dict(type='TokenizeText', tokenizer=tokenizer, max_length=max_text_len),
    dict(type='PackVideoTextInputs', meta_keys=meta_keys),
]

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=ann_dir + 'train_qa.json',
        answer_vocab=answer_vocab,
        mapping_file=mapping_file,
        data_prefix=dict(video=video_prefix),
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
        ann_file=ann_dir + 'val_qa.json',
        answer_vocab=answer_vocab,
        mapping_file=mapping_file,
        data_prefix=dict(video=video_prefix),
        pipeline=test_pipeline,
        test_mode=True))
test_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=ann_dir + 'test_qa.json',
        answer_vocab=answer_vocab,
        mapping_file=mapping_file,
        data_prefix=dict(video=video_prefix),
        pipeline=test_pipeline,
        test_mode=True))
val_evaluator = dict(type='VideoQAMetric')
test_evaluator = val_evaluator
