"""ONNX towers: onnxruntime matches PyTorch on the demo videos and captions.

Tiny models (2 blocks, width 32, 32x32 frames); the demo videos are decoded
by the config's real test pipeline and the captions tokenised by the real
tokenizer.
"""
import json
import os.path as osp
import sys

import numpy as np
import pytest
import torch

pytest.importorskip('onnx', reason='ONNX export needs requirements/deploy.txt')
pytest.importorskip('onnxruntime',
                    reason='parity checks need requirements/deploy.txt')

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tests', 'apis'))
from tiny_models import DEMO, tiny_config  # noqa: E402

TOL = 1e-4


def _demo():
    items = json.load(open(osp.join(DEMO, 'captions.json')))['videos']
    return ([osp.join(DEMO, i['video']) for i in items],
            [c for i in items for c in i['captions']])


@pytest.fixture(scope='module')
def exported(tmp_path_factory):
    from mmallinone.apis import init_model
    from mmallinone.deployment import export_onnx
    tmp = str(tmp_path_factory.mktemp('onnx'))
    torch.manual_seed(0)
    model = init_model(tiny_config('retrieval_ti_demo.py', tmp))
    # larger weights than the 0.02 init, so a wrong graph shows
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    return model, export_onnx(model, osp.join(tmp, 'out'))


def test_parity_on_demo_videos_and_captions(exported):
    from mmallinone.deployment import check_parity
    model, paths = exported
    videos, texts = _demo()
    diff = check_parity(model, paths, videos, texts)
    assert diff['num_clips'] == 10 and diff['num_texts'] == 10  # 2 views
    assert diff['video'] <= TOL and diff['text'] <= TOL, diff
    # the embeddings are not trivial: the videos differ
    from mmallinone.deployment import ort_session, tower_inputs
    frames, _, _ = tower_inputs(model, videos[:2], texts[:1])
    out = ort_session(paths['video']).run(None,
                                          {'frames': frames.numpy()})[0]
    assert np.abs(out[0] - out[2]).max() > 1e-3


def test_dynamic_batch_frames_and_length(exported):
    from mmallinone.deployment import ort_session
    model, paths = exported
    video, text = ort_session(paths['video']), ort_session(paths['text'])
    pre = model.data_preprocessor
    with torch.no_grad():
        for b, s in [(1, 2), (3, 2), (2, 3), (1, 5)]:
            frames = torch.rand(b, s, 3, 32, 32) * 255
            ref = model.encode_video(pre.normalize(list(frames)))
            out = video.run(None, {'frames': frames.numpy()})[0]
            assert out.shape == (b, 512)
            assert np.abs(out - ref.numpy()).max() <= TOL, (b, s)
        for b, length in [(1, 3), (4, 17), (2, 40)]:
            ids = torch.randint(1000, 5000, (b, length))
            mask = torch.ones_like(ids)
            mask[0, length // 2:] = 0
            ref = model.encode_text(ids, mask)
            out = text.run(None, {'input_ids': ids.numpy(),
                                  'attention_mask': mask.numpy()})[0]
            assert np.abs(out - ref.numpy()).max() <= TOL, (b, length)
    import onnx
    meta = {p.key: p.value
            for p in onnx.load(paths['video']).metadata_props}
    assert meta['frames'] == '>=2 (dynamic)' and meta['height'] == '32'


def test_export_tool_and_non_retrieval_model(tmp_path, monkeypatch):
    """The tool on a pre-training model (visual / text CLS towers)."""
    import runpy
    cfg = tiny_config('pretrain_ti_demo.py', str(tmp_path))
    out = tmp_path / 'out'
    monkeypatch.setattr(sys, 'argv', [
        'export_onnx.py', cfg, '--random-init', '--out-dir', str(out),
        '--ann', osp.join(DEMO, 'captions.json')])
    with pytest.raises(SystemExit) as code:
        runpy.run_path(
            osp.join(REPO, 'tools', 'deployment', 'export_onnx.py'),
            run_name='__main__')
    assert code.value.code == 0
    assert (out / 'video_encoder.onnx').is_file()
    assert (out / 'text_encoder.onnx').is_file()


def test_refuses_random_patch_order(tmp_path):
    from mmallinone.apis import init_model
    from mmallinone.deployment import export_onnx
    model = init_model(tiny_config('retrieval_ti_demo.py', str(tmp_path)),
                       cfg_options={'model.backbone.patch_order':
                                    'reference_shuffle'})
    with pytest.raises(ValueError, match='patch_order'):
        export_onnx(model, str(tmp_path / 'x'))
