# TGIF-QA Action (multiple-choice video QA, 5 options), official TSVs
# (docs/datasets/qa.md): data/tgif/annotations/{Train,Val,Test}_action_
# question.csv (Val_ held out of Train_) and GIFs data/tgif/gifs/. Each
# candidate is [CLS] question [SEP] option [SEP] (the question is truncated
# first). Transition: mcqa_b_tgif_transition.py swaps the files.
_base_ = ['./mc_common.py']

dataset_type = 'TGIFMultipleChoiceDataset'
data_root = 'data/tgif'
video_prefix = 'gifs'
train_ann_file = 'annotations/Train_action_question.csv'
val_ann_file = 'annotations/Val_action_question.csv'
test_ann_file = 'annotations/Test_action_question.csv'
dataset_extra = dict(num_candidates=5)

# question + option per candidate; GIFs decoded with Pillow (decord cannot
# read them): mc_common.py's pipelines with these steps replaced
prefix_key = 'question'  # [CLS] question [SEP] option [SEP]
__steps = {
    'SafeDecordInit': [dict(type='GifInit')],
    'mmaction.DecordDecode': [dict(type='GifDecode')],
    'TokenizeCandidates': [
        dict(type='TokenizeCandidates', tokenizer=_base_.tokenizer,
             max_length=_base_.max_text_len, prefix_key=prefix_key)],
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
