# All-in-One-B captioner: the pre-training backbone and MLM head (loaded from
# a pre-training checkpoint with load_from, no key mapping) under a
# sequence-to-sequence attention mask; the MLM head predicts the next token.
# No decoder tower. Decoding: beam search (docs/datasets/captioning.md).
_base_ = './allinone_b.py'

model = dict(
    _delete_=True,
    type='AllInOneCaptioner',
    backbone=_base_.model.backbone,
    mlm_head=dict(type='MLMHead', vocab_size=30522),
    label_smoothing=0.1,
    decode_cfg=dict(
        strategy='beam',
        beam_size=3,
        max_len=20,
        min_len=3,
        length_penalty=1.0,
        repetition_penalty=1.0,
        no_repeat_ngram_size=3,
        use_cache=True),
    data_preprocessor=_base_.model.data_preprocessor)
