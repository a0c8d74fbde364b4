# Zero-shot retrieval: test only, straight from a pre-training checkpoint
# (the runtime of retrieval_200e.py, nothing trained). The test loop re-ranks
# the top `zeroshot_k` unimodal candidates of every query with the VTM head;
# change k on the command line: --cfg-options test_cfg.rerank_k=32. Task
# configs also drop their dataset base's train / val loaders.
_base_ = ['./retrieval_200e.py']

zeroshot_k = 16
train_cfg = None
optim_wrapper = None
param_scheduler = None
val_cfg = None
test_cfg = dict(
    type='RetrievalTestLoop', rerank_k=zeroshot_k, rerank_batch_size=64)
