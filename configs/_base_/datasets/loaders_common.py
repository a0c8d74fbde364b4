# Loader settings shared by every dataset base (the *_common.py family
# bases and vcr.py inherit this file): persistent workers, shuffled training,
# evaluation in dataset order, `pseudo_collate` (a batch stays a list of
# samples; the model's data preprocessor pads and stacks them). The
# inheriting file sets the batch size, the workers and the datasets.
train_dataloader = dict(
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'))
val_dataloader = dict(
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'))
test_dataloader = val_dataloader
