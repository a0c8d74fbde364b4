# TGIF-QA FrameQA (open-ended video QA), official TSV annotations
# (docs/datasets/qa.md): data/tgif/annotations/{Train,Val,Test}_frameqa_
# question.csv (Val_ is held out of Train_, see the doc), answer_vocab.json
# (1540 answers) and the GIFs data/tgif/gifs/<gif_name>.gif, decoded with
# Pillow (GifInit / GifDecode: decord cannot read GIFs). Loaders, the rest of
# the pipelines and metric: qa_common.py.
_base_ = ['./qa_common.py']

dataset_type = 'TGIFFrameQADataset'
data_root = 'data/tgif'
ann_dir = 'annotations/'
answer_vocab = ann_dir + 'answer_vocab.json'
video_prefix = 'gifs'

# qa_common.py's pipelines with the decord steps swapped for the GIF ones
__gif = {'SafeDecordInit': dict(type='GifInit'),
         'mmaction.DecordDecode': dict(type='GifDecode')}
train_pipeline = [__gif.get(t.type, t) for t in _base_.train_pipeline]
test_pipeline = [__gif.get(t.type, t) for t in _base_.test_pipeline]

# what the three splits share (a `__` name stays out of the resolved config)
__dataset = dict(type=dataset_type, data_root=data_root,
                 answer_vocab=answer_vocab,
                 data_prefix=dict(video=video_prefix))
train_dataloader = dict(dataset=dict(
    __dataset, ann_file=ann_dir + 'Train_frameqa_question.csv',
    pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(
    __dataset, ann_file=ann_dir + 'Val_frameqa_question.csv',
    pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(
    __dataset, ann_file=ann_dir + 'Test_frameqa_question.csv',
    pipeline=test_pipeline))
