# retrieval_common.py with captions of up to 80 tokens (the authors' length
# for the ActivityNet / DiDeMo paragraphs and for LSMDC): the tokenisation
# steps are rebuilt with the new length, the rest is unchanged.
_base_ = ['./retrieval_common.py']

max_text_len = 80

__tokenize = dict(max_length=max_text_len)
train_pipeline = [
    dict(t, **__tokenize) if 'max_length' in t else t
    for t in _base_.train_pipeline]
test_pipeline = [
    dict(t, **__tokenize) if 'max_length' in t else t
    for t in _base_.test_pipeline]
val_pipeline = test_pipeline

train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
