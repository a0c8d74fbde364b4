"""The smallest new task: a linear answer classifier on the pooled joint
feature, written here and nowhere else.

It shows the layers' contract: the task model reads only the batched
``inputs`` of the batch contract and declares what it can do; the shipped
dataset, packer, data preprocessor, MMEngine loops, metric and inference
API then serve it unchanged (nothing in ``mmallinone`` knows this class).
"""
import os.path as osp
import sys
from typing import Dict, List, Optional

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.runner import Runner
from torch import Tensor

from mmallinone.models import AllInOneBaseModel
from mmallinone.registry import MODELS
from mmallinone.utils import setup_runtime

sys.path.insert(0, osp.join(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))), 'apis'))
from tiny_models import DEMO, tiny_config  # noqa: E402


@MODELS.register_module(force=True)
class ExampleLinearAnswerer(AllInOneBaseModel):
    """Answer classification from the pooled joint [CLS] ``(B, C)``."""

    CAPABILITIES = frozenset({'answer'})
    INIT_HEADS = ('head', )

    def __init__(self, backbone: dict, num_classes: int, **kwargs) -> None:
        super().__init__(backbone=backbone, **kwargs)
        self.head = nn.Linear(self.embed_dims, num_classes)

    def logits(self, inputs: Dict[str, Tensor]) -> Tensor:
        return self.head(self.extract_feat(inputs)['pooled'])

    def loss(self, inputs: Dict[str, Tensor],
             data_samples: Optional[list] = None) -> Dict[str, Tensor]:
        labels = self.gt_labels(data_samples, inputs['imgs'].device)
        return dict(loss_example=F.cross_entropy(
            self.logits(inputs), labels, ignore_index=-100))

    def predict(self, inputs: Dict[str, Tensor],
                data_samples: Optional[list] = None) -> List:
        return self.write_predictions(
            self.logits(inputs).float().softmax(-1), data_samples)


def _config(tmp_path) -> Config:
    cfg = Config.fromfile(tiny_config('vqa_ti_demo.py', str(tmp_path)))
    cfg.model = dict(type='ExampleLinearAnswerer',
                     backbone=cfg.model.backbone, num_classes=9,
                     data_preprocessor=cfg.model.get('data_preprocessor'))
    cfg.train_cfg.update(max_iters=2, val_interval=2)
    cfg.param_scheduler = []
    cfg.default_hooks.checkpoint.interval = 2
    cfg.work_dir = str(tmp_path / 'work')
    return cfg


def test_new_task_trains_tests_and_serves_the_api(tmp_path):
    from mmallinone.apis import answer_question, init_model, match
    torch.manual_seed(0)
    cfg = _config(tmp_path)
    runner = Runner.from_cfg(setup_runtime(cfg, 'none'))
    before = runner.model.head.weight.detach().clone()
    runner.train()  # shipped train loop, dataset, packer, preprocessor
    assert not torch.equal(before, runner.model.head.weight)
    metrics = runner.test()  # shipped test loop and VideoQAMetric
    assert 0 <= metrics['vqa/acc'] <= 100
    # the inference API dispatches on the declared capability
    ckpt = osp.join(cfg.work_dir, 'iter_2.pth')
    model = init_model(cfg, ckpt)
    question = 'what are the two people doing?'
    out = answer_question(model, osp.join(DEMO, 'arm_wrestling.mp4'),
                          question)
    assert out['scores'].shape == (9, )
    assert out['answer'] == model.answer_vocab[out['label']]
    # the same scores as the model's own test_step on a pipeline batch
    data = model.inference_data
    frames = data.frames(osp.join(DEMO, 'arm_wrestling.mp4'))
    batch = data.batch(model, [frames], input_ids=data.tokenize([question]))
    with torch.no_grad():
        ref = model.test_step(batch)[0].pred_score
    assert torch.allclose(ref, out['scores'], atol=1e-6)
    with pytest.raises(AttributeError, match="'match' capability"):
        match(model, osp.join(DEMO, 'arm_wrestling.mp4'), ['a'])
