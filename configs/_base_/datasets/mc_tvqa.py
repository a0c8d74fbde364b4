# TVQA (multiple-choice video QA, 5 options), official JSONL
# (docs/datasets/qa.md): data/tvqa/annotations/tvqa_{train,val}.jsonl and
# the 3 fps JPEG frames data/tvqa/frames_hq/<show>_frames/<vid_name>/
# %05d.jpg, decoded RGB with mmaction.RawFrameDecode inside the `ts` window.
# tvqa_test_public has no answers (server evaluation): val and test both
# read tvqa_val.jsonl, the split reported on. No subtitles (as the authors);
# set `subtitle_file` in dataset_extra to append them to the question.
_base_ = ['./mc_common.py']

dataset_type = 'TVQADataset'
data_root = 'data/tvqa'
video_prefix = 'frames_hq'
train_ann_file = 'annotations/tvqa_train.jsonl'
val_ann_file = 'annotations/tvqa_val.jsonl'
test_ann_file = 'annotations/tvqa_val.jsonl'
dataset_extra = dict(num_candidates=5, subtitle_file=None)

# question + option up to 100 tokens per candidate; JPEG frames (no video
# to open): mc_common.py's pipelines with these steps replaced
max_text_len = 100
prefix_key = 'question'  # [CLS] question [SEP] option [SEP]
__steps = {
    'SafeDecordInit': [],
    'mmaction.DecordDecode': [dict(type='mmaction.RawFrameDecode')],
    'TokenizeCandidates': [
        dict(type='TokenizeCandidates', tokenizer=_base_.tokenizer,
             max_length=max_text_len, prefix_key=prefix_key)],
}
train_pipeline = [
    s for t in _base_.train_pipeline for s in __steps.get(t.type, [t])]
test_pipeline = [
    s for t in _base_.test_pipeline for s in __steps.get(t.type, [t])]

# what the three splits share (a `__` name stays out of the resolved config)
__dataset = dict(type=dataset_type, data_root=data_root,
                 data_prefix=dict(video=video_prefix), **dataset_extra)
train_dataloader = dict(
    dataset=dict(__dataset, ann_file=train_ann_file, pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(__dataset, ann_file=val_ann_file, pipeline=test_pipeline))
test_dataloader = dict(
    dataset=dict(__dataset, ann_file=test_ann_file, pipeline=test_pipeline))
