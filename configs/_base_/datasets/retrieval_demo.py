# Retrieval demo on the five shipped videos of data/demo (captions.json)
# (loader input files in docs/datasets/retrieval.md).
# Two captions per video: training draws one at random, evaluation ranks all
# ten captions against the five videos (several captions per video). val =
# test = train videos: a smoke test, not a benchmark. Paths relative to the
# repository root. retrieval_common.py with 2 test views, 2 videos per batch
# and no worker processes.
_base_ = ['./retrieval_common.py']

# data/demo of the clone or of the installed package (any working dir)
data_root = '{{ fileDirname }}/../../../data/demo'
num_views = 2
batch_size = 2
num_workers = 0

__views = dict(num_clips=num_views)
test_pipeline = [
    dict(t, **__views) if t.type == 'mmaction.UniformSample' else t
    for t in _base_.test_pipeline]
val_pipeline = test_pipeline

# what the loaders and their datasets share (a `__` name stays out of the
# resolved config)
__loader = dict(batch_size=batch_size, num_workers=num_workers,
                persistent_workers=False)
__dataset = dict(type='VideoCaptionsRetrievalDataset', data_root=data_root,
                 ann_file='captions.json', data_prefix=dict(video=''))
train_dataloader = dict(__loader, dataset=__dataset)
val_dataloader = dict(__loader, dataset=dict(__dataset, pipeline=val_pipeline))
test_dataloader = dict(__loader,
                       dataset=dict(__dataset, pipeline=test_pipeline))
