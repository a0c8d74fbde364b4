# VCR (visual commonsense reasoning; Zellers et al. 2019), the official
# release (docs/datasets/vcr.md): data/vcr/vcr1annots/{train,val}.jsonl and
# data/vcr/vcr1images/<movie>/<img>.{jpg,json} (image + metadata with the
# objects' boxes and segmentation polygons). test.jsonl has no labels
# (leaderboard): val and test both read val.jsonl, the split reported on.
#
# Per item: the image as a one-frame clip; the boxes of the objects the
# texts refer to tinted (alpha 0.3) and outlined in one of 21 colours by
# order of first mention; references in the text
# rendered as "<name> <k>" ("person 1", as the authors). Q->A texts are
# [CLS] question [SEP] answer [SEP]; QA->R texts [CLS] question answer*
# [SEP] rationale [SEP] with answer* the right answer (the authors'
# question + gt_answer + [SEP] + rationale).
#
# Deviations from the authors' (never runnable) pipeline:
# a fixed 384x224 resize instead of MinMaxResize(224, 373) + padding (our
# batches stack frames), and no RandAugment (mmaction2 1.2.0 has none for
# clips). No flip: it would swap left/right in the texts.
_base_ = ['./loaders_common.py']

dataset_type = 'VCRDataset'
data_root = 'data/vcr'
img_prefix = 'vcr1images'
train_ann_file = 'vcr1annots/train.jsonl'
val_ann_file = 'vcr1annots/val.jsonl'
test_ann_file = 'vcr1annots/val.jsonl'
dataset_extra = dict(num_candidates=4)

img_scale = (384, 224)  # (w, h)
max_text_len = 40  # the authors' max_text_len (text position table)
batch_size = 32
num_workers = 4
tokenizer = dict(type='BertWordPieceTokenizer')
# mode='box': the authors tint each referenced object's box; 'mask' tints
# its segmentation polygons instead
mark_cfg = dict(
    type='VCRMarkEntities', mode='box', alpha=0.3, thickness=2,
    text_style='name_index')

pipeline = [
    dict(type='LoadImageAsClip', clip_len=1),
    mark_cfg,
    dict(type='mmaction.Resize', scale=img_scale, keep_ratio=False),
    # Q->A: [CLS] question [SEP] answer_i [SEP]
    dict(type='TokenizeCandidates', tokenizer=tokenizer,
         max_length=max_text_len, prefix_key='question'),
    # QA->R: [CLS] question right-answer [SEP] rationale_j [SEP]
    dict(type='TokenizeCandidates', tokenizer=tokenizer,
         max_length=max_text_len, prefix_key='qa_prefix',
         candidates_key='rationale_candidates', output_key='rationale_ids'),
    dict(type='PackVCRInputs'),
]
train_pipeline = pipeline
test_pipeline = pipeline

# what the three splits share (a `__` name stays out of the resolved config)
__dataset = dict(type=dataset_type, data_root=data_root,
                 data_prefix=dict(img=img_prefix), **dataset_extra)
train_dataloader = dict(
    batch_size=batch_size, num_workers=num_workers,
    dataset=dict(__dataset, ann_file=train_ann_file, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=batch_size, num_workers=num_workers,
    dataset=dict(__dataset, ann_file=val_ann_file, pipeline=test_pipeline,
                 test_mode=True))
test_dataloader = dict(
    val_dataloader, dataset=dict(val_dataloader['dataset'],
                                 ann_file=test_ann_file))
val_evaluator = dict(type='VCRMetric')
test_evaluator = val_evaluator
