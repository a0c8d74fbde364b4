# MSVD-QA (open-ended video QA), official JSON annotations
# (docs/datasets/qa.md): data/msvd/annotations/msvd_qa/{train,val,test}_qa.json,
# youtube_mapping.txt, answer_vocab.json (1000 answers) and the clips
# data/msvd/YouTubeClips/<youtube_name>.avi. Loaders, pipelines and metric:
# qa_common.py.
_base_ = ['./qa_common.py']

dataset_type = 'MSVDQADataset'
data_root = 'data/msvd'
ann_dir = 'annotations/msvd_qa/'
answer_vocab = ann_dir + 'answer_vocab.json'
video_prefix = 'YouTubeClips'
mapping_file = ann_dir + 'youtube_mapping.txt'

# what the three splits share (a `__` name stays out of the resolved config)
__dataset = dict(type=dataset_type, data_root=data_root,
                 answer_vocab=answer_vocab, mapping_file=mapping_file,
                 data_prefix=dict(video=video_prefix))
train_dataloader = dict(
    dataset=dict(__dataset, ann_file=ann_dir + 'train_qa.json'))
val_dataloader = dict(
    dataset=dict(__dataset, ann_file=ann_dir + 'val_qa.json'))
test_dataloader = dict(
    dataset=dict(__dataset, ann_file=ann_dir + 'test_qa.json'))
