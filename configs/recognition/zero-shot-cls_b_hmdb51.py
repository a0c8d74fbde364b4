# Zero-shot action classification with All-in-One-B on HMDB51 (split 1 test
# list); see zero-shot-cls_b_k400.py. Label-map names such as `brush_hair`
# become "brush hair" (clean_names).
_base_ = ['./zero-shot-cls_b_k400.py']

model = dict(class_names='data/hmdb51/label_map.txt')
test_dataloader = dict(
    dataset=dict(
        ann_file='data/hmdb51/hmdb51_val_split_1_videos.txt',
        data_prefix=dict(video='data/hmdb51/videos')))
