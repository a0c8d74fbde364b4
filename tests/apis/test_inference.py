"""mmallinone.apis on the real demo videos with tiny models.

Each API function is checked against the task model's own inference path
on a batch built by the config's real test pipeline (decord decoding via
mmaction2, the real tokenizer, the model's data preprocessor).
"""
import os.path as osp
import sys

import pytest
import torch
from mmcv.transforms import Compose
from mmengine.dataset import pseudo_collate

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from tiny_models import DEMO, tiny_checkpoint, tiny_config  # noqa: E402

VIDEO = osp.join(DEMO, 'arm_wrestling.mp4')
OTHER = osp.join(DEMO, 'pool_cleaning.mp4')


@pytest.fixture(scope='module')
def tmp_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp('apis'))


def _model(name, tmp_dir):
    from mmallinone.apis import init_model
    cfg = tiny_config(name, tmp_dir)
    return init_model(cfg, tiny_checkpoint(cfg, tmp_dir)), cfg


def _batch(model, pipeline_cfg, **info):
    """Run the config's real test pipeline and the data preprocessor."""
    from mmallinone.registry import TRANSFORMS
    pipeline = Compose([TRANSFORMS.build(t) for t in pipeline_cfg])
    data = pipeline(dict(start_index=0, modality='RGB', **info))
    return model.data_preprocessor(pseudo_collate([data]))


@pytest.fixture(scope='module')
def pretrainer(tmp_dir):
    return _model('pretrain_ti_demo.py', tmp_dir)


def test_init_model_loads_the_checkpoint(pretrainer, tmp_dir):
    from mmallinone.apis import init_model
    model, cfg = pretrainer
    assert not model.training
    ckpt = osp.join(tmp_dir, 'tiny_pretrain_ti_demo.pth')
    saved = torch.load(ckpt, weights_only=True)['state_dict']
    for key, value in model.state_dict().items():
        assert torch.equal(value, saved[key]), key
    # a different seed gives different weights: the load is what matches
    torch.manual_seed(1)
    fresh = init_model(cfg)
    assert not torch.equal(fresh.vtm_head.fc.weight, model.vtm_head.fc.weight)
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        init_model(cfg, osp.join(tmp_dir, 'nope.pth'))


def test_encoders_shapes_and_errors(pretrainer):
    from mmallinone.apis import encode_texts, encode_videos, load_video
    model, _ = pretrainer
    frames = load_video(model, VIDEO)
    assert frames.dtype == torch.uint8 and frames.shape == (1, 2, 3, 32, 32)
    videos = encode_videos(model, [VIDEO, OTHER, frames[0]])
    assert videos.shape == (3, 32) and videos.dtype == torch.float32
    assert torch.allclose(videos.norm(dim=-1), torch.ones(3), atol=1e-5)
    # a decoded tensor and its file give the same embedding
    assert torch.allclose(videos[0], videos[2], atol=1e-6)
    assert not torch.allclose(videos[0], videos[1], atol=1e-3)
    texts = encode_texts(model, ['two people arm wrestling', 'a pool'])
    assert texts.shape == (2, 32)
    assert torch.allclose(encode_texts(model, 'a pool')[0], texts[1],
                          atol=1e-5)
    with pytest.raises(FileNotFoundError, match='missing.mp4'):
        encode_videos(model, [osp.join(DEMO, 'missing.mp4')])
    with pytest.raises(TypeError):
        encode_texts(model, [3])


def test_match_equals_the_pretrainers_vtm_score(pretrainer):
    from mmallinone.apis import match
    model, cfg = pretrainer
    text = 'two people arm wrestling at a table'
    scores = match(model, VIDEO, [text, 'a woman applies eye makeup'])
    assert scores.shape == (2, ) and ((scores >= 0) & (scores <= 1)).all()
    batch = _batch(model, model.cfg.test_pipeline, filename=VIDEO, text=text)
    with torch.no_grad():
        out = model.predict(batch['inputs'], batch['data_samples'])
    assert float(out[0].pred_vtm_pos) == pytest.approx(float(scores[0]),
                                                       abs=1e-5)
    logits = match(model, VIDEO, [text], return_logits=True)
    assert torch.sigmoid(logits).shape == (1, )


def test_answer_question_multiple_choice_zero_shot(pretrainer):
    from mmallinone.apis import answer_question, match
    model, _ = pretrainer
    cands = ['arm wrestling', 'swimming', 'eye makeup']
    out = answer_question(model, VIDEO, '', cands, top_k=2)
    assert out['answer'] in cands and out['scores'].shape == (3, )
    assert float(out['scores'].sum()) == pytest.approx(1.0, abs=1e-5)
    assert len(out['top_k']) == 2 and out['top_k'][0][0] == out['answer']
    # caption form = softmax of the VTM match logits of the candidates
    logits = match(model, VIDEO, cands, return_logits=True)
    assert torch.allclose(out['scores'], logits.softmax(-1), atol=1e-5)
    with pytest.raises(AttributeError, match='open-ended'):
        answer_question(model, VIDEO, 'what?')


def test_fill_masks(pretrainer):
    from mmallinone.apis import fill_masks
    model, _ = pretrainer
    out = fill_masks(model, VIDEO, 'two people [MASK] at a [MASK]')
    assert len(out['words']) == 2 and out['positions'] == [3, 6]
    assert out['maps'].shape == (2, 2, 2, 2)  # words, frames, 32/16, 32/16
    assert float(out['maps'].min()) == 0.0 and float(out['maps'].max()) == 1
    assert out['frames'].shape == (2, 3, 32, 32)
    # the filled caption holds the predictions where the masks were
    for word in out['words']:
        assert word.replace('##', '') in out['filled'].replace(' ', '')
    ot = fill_masks(model, VIDEO, 'two people [MASK] at a [MASK]', 'ot')
    assert ot['words'] == out['words']
    assert torch.equal(ot['maps'][:, 0], ot['maps'][:, 1])  # one plan
    with pytest.raises(ValueError, match=r'\[MASK\]'):
        fill_masks(model, VIDEO, 'no mask here')


def test_bad_inputs_are_value_errors_naming_the_argument(pretrainer):
    from mmallinone.apis import (answer_question, encode_texts,
                                 encode_videos, fill_masks, load_video, match)
    model, _ = pretrainer
    limit = model.inference_data.max_length
    with pytest.raises(ValueError, match='texts'):
        encode_texts(model, [])
    with pytest.raises(ValueError, match='videos'):
        encode_videos(model, [])
    with pytest.raises(ValueError, match='texts'):
        match(model, VIDEO, [])
    # float frames where uint8 is documented
    frames = load_video(model, VIDEO)[0]
    with pytest.raises(ValueError, match=r'videos\[1\].*uint8'):
        encode_videos(model, [VIDEO, frames.float() / 255])
    with pytest.raises(ValueError, match='video.*uint8'):
        match(model, frames.float(), ['a pool'])
    # a multiple-choice candidate longer than the text limit
    long = ' '.join(['wrestling'] * (limit + 5))
    with pytest.raises(ValueError, match=r'candidates\[1\].*limit'):
        answer_question(model, VIDEO, 'what are they doing?',
                        ['arm wrestling', long])
    # the [MASK] is there but truncation cuts it off
    with pytest.raises(ValueError, match=r'text.*truncat'):
        fill_masks(model, VIDEO, long + ' [MASK]')


def test_retrieval_encoders_equal_the_retrieval_models_paths(tmp_dir):
    from mmallinone.apis import encode_texts, encode_videos, match
    model, _ = _model('retrieval_ti_demo.py', tmp_dir)
    captions = ['two people arm wrestling', 'a man at a table']
    pipeline = model.cfg.test_dataloader.dataset.pipeline
    batch = _batch(model, pipeline, filename=VIDEO, captions=captions,
                   text=captions[0])
    with torch.no_grad():
        out = model.predict(batch['inputs'], batch['data_samples'])[0]
    texts = encode_texts(model, captions)
    assert texts.shape == (2, 512)
    assert torch.allclose(texts, out.pred_text_embeds, atol=1e-5)
    video = encode_videos(model, VIDEO)
    assert out.pred_video_embeds.shape == (2, 512)  # 2 test views
    assert torch.allclose(video[0], out.pred_video_embeds.mean(0), atol=1e-5)
    # dot products = the metric's view-averaged similarities
    sims = (out.pred_video_embeds @ out.pred_text_embeds.t()).mean(0)
    assert torch.allclose(texts @ video[0], sims, atol=1e-5)
    # joint path: the middle view scored like the re-ranking loop
    imgs = batch['inputs']['imgs']  # (1, V, S, 3, H, W), middle view 2nd
    assert imgs.shape[1] == 2
    ids = batch['inputs']['caption_ids'][0, :1]  # tokenised by the pipeline
    mask = batch['inputs']['caption_mask'][0, :1]
    with torch.no_grad():
        ref = model.match_scores(imgs[:, 1], ids, mask)
    assert float(match(model, VIDEO, captions[:1], True)) == \
        pytest.approx(float(ref), abs=1e-5)


def test_open_ended_answer_equals_the_qa_models_prediction(tmp_dir):
    from mmallinone.apis import answer_question
    model, _ = _model('vqa_ti_demo.py', tmp_dir)
    assert len(model.answer_vocab) == 9 and 'basketball' in \
        model.answer_vocab
    question = 'what are the two people doing?'
    out = answer_question(model, VIDEO, question, top_k=3)
    assert out['scores'].shape == (9, )
    assert out['answer'] == model.answer_vocab[out['label']]
    pipeline = model.cfg.test_dataloader.dataset.pipeline
    batch = _batch(model, pipeline, filename=VIDEO, text=question)
    with torch.no_grad():
        pred = model.predict(batch['inputs'], batch['data_samples'])[0]
    assert torch.allclose(pred.pred_score, out['scores'], atol=1e-5)
    assert int(pred.pred_label) == out['label']
    with pytest.raises(AttributeError, match="'match' capability"):
        from mmallinone.apis import match
        match(model, VIDEO, ['x'])


@pytest.mark.parametrize('question', [None, 'what happens?'])
def test_multiple_choice_equals_the_mc_models_prediction(tmp_dir, question):
    """Caption form and question form against the model's own predict."""
    from mmallinone.apis import answer_question
    model, _ = _model('mc_ti_demo.py', tmp_dir)
    cands = ['two people arm wrestling', 'a man cleans a pool',
             'people play basketball']
    out = answer_question(model, VIDEO, question, cands)
    pipeline = [dict(t) for t in model.cfg.test_dataloader.dataset.pipeline]
    for t in pipeline:
        if t['type'] == 'TokenizeCandidates':
            t['prefix_key'] = 'question' if question else None
    batch = _batch(model, pipeline, filename=VIDEO, candidates=cands,
                   question=question)
    with torch.no_grad():
        pred = model.predict(batch['inputs'], batch['data_samples'])[0]
    assert torch.allclose(pred.pred_score, out['scores'], atol=1e-5)
    assert out['answer'] == cands[int(pred.pred_label)]
