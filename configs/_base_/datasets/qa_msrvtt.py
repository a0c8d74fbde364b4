# MSRVTT-QA (open-ended video QA), official JSON annotations
# (docs/datasets/qa.md): data/msrvtt/annotations/msrvtt_qa/{train,val,test}
# _qa.json, answer_vocab.json (1500 answers, tools/data/build_answer_vocab.py)
# and the clips data/msrvtt/videos/all/video<N>.mp4. Loaders, pipelines and
# metric: qa_common.py.
_base_ = ['./qa_common.py']

dataset_type = 'MSRVTTQADataset'
data_root = 'data/msrvtt'
ann_dir = 'annotations/msrvtt_qa/'
answer_vocab = ann_dir + 'answer_vocab.json'
video_prefix = 'videos/all'

# what the three splits share (a `__` name stays out of the resolved config)
__dataset = dict(type=dataset_type, data_root=data_root,
                 answer_vocab=answer_vocab,
                 data_prefix=dict(video=video_prefix))
train_dataloader = dict(
    dataset=dict(__dataset, ann_file=ann_dir + 'train_qa.json'))
val_dataloader = dict(
    dataset=dict(__dataset, ann_file=ann_dir + 'val_qa.json'))
test_dataloader = dict(
    dataset=dict(__dataset, ann_file=ann_dir + 'test_qa.json'))
