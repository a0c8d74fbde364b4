# MSVD captioning (docs/datasets/captioning.md): the English descriptions
# data/msvd/annotations/AllVideoDescriptions.txt (about 41 per clip), the
# clip numbering data/msvd/annotations/youtube_mapping.txt and the clips
# data/msvd/YouTubeClips/<clip>.avi. Standard split 1200 / 100 / 670 clips
# (vid1-1200 / vid1201-1300 / vid1301-1970).
_base_ = ['./caption_common.py']

dataset_type = 'MSVDCaptionDataset'
data_root = 'data/msvd'
video_prefix = 'YouTubeClips'
ann_file = 'annotations/AllVideoDescriptions.txt'
mapping_file = 'annotations/youtube_mapping.txt'

# what the three splits share (a `__` name stays out of the resolved config)
__dataset = dict(type=dataset_type, data_root=data_root, ann_file=ann_file,
                 mapping_file=mapping_file,
                 data_prefix=dict(video=video_prefix))
train_dataloader = dict(dataset=dict(__dataset, split='train'))
val_dataloader = dict(dataset=dict(__dataset, split='val'))
test_dataloader = dict(dataset=dict(__dataset, split='test'))
