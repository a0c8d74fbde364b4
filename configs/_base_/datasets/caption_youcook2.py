# YouCook2 segment captioning (docs/datasets/captioning.md): the official
# data/youcook2/annotations/youcookii_annotations_trainval.json and the raw
# videos data/youcook2/raw_videos/<subset>/<recipe_type>/<id>.{mp4,mkv,webm}.
# Every annotated segment is a sample; frames are sampled inside its
# [start, end] window (RestrictToClipWindow). The test annotations are not
# public: the validation split (457 videos) is the test set, as in the
# published results.
_base_ = ['./caption_common.py']

dataset_type = 'YouCook2CaptionDataset'
data_root = 'data/youcook2'
video_prefix = 'raw_videos'
ann_file = 'annotations/youcookii_annotations_trainval.json'

# what the three splits share (a `__` name stays out of the resolved config)
__dataset = dict(type=dataset_type, data_root=data_root, ann_file=ann_file,
                 data_prefix=dict(video=video_prefix))
train_dataloader = dict(dataset=dict(__dataset, subset='training'))
val_dataloader = dict(dataset=dict(__dataset, subset='validation'))
test_dataloader = dict(dataset=dict(__dataset, subset='validation'))
