"""AllInOneZeroShotClassifier: VTM / cosine scores of class names."""
import pytest
import torch
from mmaction.evaluation import AccMetric
from mmaction.structures import ActionDataSample
from mmengine.registry import init_default_scope

import mmallinone  # noqa: F401
from mmallinone.models.tasks.zero_shot_classifier import clean_class_name
from mmallinone.registry import MODELS

TINY = dict(
    type='AllInOneTransformer',
    arch=dict(embed_dims=32, num_layers=2, num_heads=2),
    img_size=32,
    num_frames=2,
    max_text_len=16,
    drop_rate=0.0,
    drop_path_rate=0.0)
NAMES = ['arm wrestling', 'hugging', 'shooting basketball']


def _build(**kwargs):
    init_default_scope('mmallinone')
    kwargs.setdefault('class_names', NAMES)
    model = MODELS.build(
        dict(type='AllInOneZeroShotClassifier', backbone=TINY, **kwargs))
    model.init_weights()
    return model.eval()


def _batch(labels):
    torch.manual_seed(0)
    imgs = [torch.randint(0, 255, (2, 3, 32, 32), dtype=torch.uint8)
            for _ in labels]
    samples = []
    for label in labels:
        ds = ActionDataSample()
        ds.set_gt_label(label)
        samples.append(ds)
    return dict(inputs=dict(imgs=imgs), data_samples=samples)


def test_vtm_scores_are_the_pairwise_match_logits():
    model = _build(prompt='a person is {}.', class_chunk=2)
    # prompts tokenised once: [CLS] a person is <name> . [SEP]
    assert model.class_ids.shape[0] == 3
    assert model.class_ids[0, 0] == 101
    data = model.data_preprocessor(_batch([0, 2]), False)
    imgs = data['inputs']['imgs']
    with torch.no_grad():
        scores = model.class_scores(imgs)
        expected = torch.stack([
            torch.stack([
                model.vtm_head(
                    model.joint_pooled(imgs[b:b + 1],
                                       model.class_ids[k:k + 1],
                                       model.class_mask[k:k + 1]))[0, 1]
                for k in range(3)
            ]) for b in range(2)
        ])
    assert scores.shape == (2, 3)
    torch.testing.assert_close(scores, expected, rtol=1e-4, atol=1e-5)
    model.class_chunk = 64  # chunking does not change the result
    with torch.no_grad():
        torch.testing.assert_close(model.class_scores(imgs), scores,
                                   rtol=1e-4, atol=1e-5)


def test_declared_capabilities():
    """It classifies; it matches (video, text) pairs only with a VTM head;
    it has no two-stream encoders to 'embed' with."""
    vtm, cosine = _build(), _build(score='cosine')
    assert vtm.can('classify') and vtm.can('match') and not vtm.can('embed')
    assert cosine.vtm_head is None and not cosine.can('match')


@pytest.mark.parametrize('with_projection', [False, True])
def test_cosine_scores(with_projection):
    model = _build(score='cosine', with_projection=with_projection,
                   proj_dims=8)
    assert model.vtm_head is None and model.pooler is None
    data = model.data_preprocessor(_batch([1, 1]), False)
    imgs = data['inputs']['imgs']
    with torch.no_grad():
        scores = model.class_scores(imgs)
        video = model.backbone.forward_video(imgs)[:, 0]
        text = model.backbone.forward_text(model.class_ids,
                                           model.class_mask)[:, 0]
        if with_projection:
            video, text = model.video_proj(video), model.text_proj(text)
        expected = torch.nn.functional.cosine_similarity(
            video[:, None], text[None], dim=-1)
    torch.testing.assert_close(scores, expected, rtol=1e-4, atol=1e-5)
    assert scores.abs().max() <= 1.0 + 1e-5


def test_predict_feeds_mmaction_acc_metric():
    model = _build()
    batch = _batch([0, 1, 2])
    with torch.no_grad():
        out = model.test_step(batch)
    for ds in out:
        assert ds.pred_score.shape == (3, )
        assert float(ds.pred_score.sum()) == pytest.approx(1.0, abs=1e-5)
        assert int(ds.pred_label) == int(ds.pred_score.argmax())
    metric = AccMetric(metric_options=dict(top_k_accuracy=dict(topk=(1,
                                                                     3))))
    metric.process(batch, [ds.to_dict() for ds in out])
    result = metric.compute_metrics(metric.results)
    hits = sum(int(ds.pred_label) == int(ds.gt_label) for ds in out)
    assert result['top1'] == pytest.approx(hits / 3)
    assert result['top3'] == 1.0
    with pytest.raises(NotImplementedError, match='zero-shot'):
        model.loss(model.data_preprocessor(batch, True)['inputs'], out)


def test_class_names_from_label_map(tmp_path):
    label_map = tmp_path / 'label_map.txt'
    label_map.write_text('brush_hair\nApplyEyeMakeup\nair drumming\n')
    model = _build(class_names=str(label_map))
    assert model.class_names == ['brush hair', 'apply eye makeup',
                                 'air drumming']
    assert model.num_classes == 3
    raw = _build(class_names=str(label_map), clean_names=False)
    assert raw.class_names[0] == 'brush_hair'
    assert clean_class_name('YoYo') == 'yo yo'

    label_map.write_text('a\n\nb\n')
    with pytest.raises(ValueError, match=r'label_map\.txt, line 2'):
        _build(class_names=str(label_map))
    with pytest.raises(FileNotFoundError, match='missing.txt'):
        _build(class_names=str(tmp_path / 'missing.txt'))


def test_bad_arguments():
    with pytest.raises(ValueError, match='score'):
        _build(score='dot')
    with pytest.raises(ValueError, match='prompt'):
        _build(prompt='no placeholder')
    with pytest.raises(ValueError, match='with_projection'):
        _build(with_projection=True)
    with pytest.raises(ValueError, match='at least 2'):
        _build(class_names=['only'])
