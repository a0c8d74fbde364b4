"""tools/analysis_tools/benchmark_model.py on a tiny arch (fast)."""
import json
import os.path as osp
import sys

import pytest
import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tools', 'analysis_tools'))

import benchmark_model  # noqa: E402

CONFIG = osp.join(REPO, 'configs', '_base_', 'models', 'allinone_b.py')
TINY = ['--arch', '32,2,2', '--img-size', '32', '--text-len', '8']


def tiny_model(**overrides):
    args = benchmark_model.parse_args([CONFIG] + TINY)
    cfg = benchmark_model.backbone_cfg(CONFIG, args, drop_rate=0.,
                                       **overrides)
    model = benchmark_model.build_backbone(cfg, torch.device('cpu'), 0)
    inputs = benchmark_model.make_inputs(
        args, model.text_embeddings.word_embeddings.num_embeddings,
        torch.device('cpu'))
    return model.eval(), inputs


@pytest.mark.parametrize('overrides', [
    dict(), dict(ttr_cfg=dict(type='TemporalTokenRoll', n_div=2)),
    dict(temporal_mode='none')
])
def test_plain_baseline_equals_the_model(overrides):
    model, (imgs, ids, mask) = tiny_model(**overrides)
    assert mask[0].sum() < mask.shape[1]  # padding is exercised
    with torch.no_grad():
        ours = model.forward_joint(imgs, ids, mask)
        plain = benchmark_model.plain_joint_forward(model, imgs, ids, mask)
    for a, b in zip(ours, plain):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)
    # and it is a real comparison: other weights give other outputs
    with torch.no_grad():
        model.blocks[0].attn.qkv.weight.mul_(2)
        changed = benchmark_model.plain_joint_forward(model, imgs, ids, mask)
    assert not torch.allclose(changed[0], ours[0], atol=1e-3)


def test_plain_baseline_refuses_what_it_does_not_implement():
    model, (imgs, ids, mask) = tiny_model(
        ttr_cfg=dict(type='TemporalTokenRoll', strategy='random'))
    with pytest.raises(ValueError, match='block strategy'):
        benchmark_model.plain_joint_forward(model, imgs, ids, mask)


def test_text_once_equals_text_per_frame():
    model, (_, ids, mask) = tiny_model()
    with torch.no_grad():
        once = model.forward_text(ids, mask)
        per_frame = benchmark_model.text_per_frame(model, ids, mask, 3)
    torch.testing.assert_close(once, per_frame, atol=1e-5, rtol=1e-4)


def test_profiler_peak_memory_counts_live_tensors():
    def fn():
        a = torch.empty(1000, 1000)  # 4 MB
        b = torch.empty(2000, 1000)  # 8 MB, both alive: peak 12 MB
        del a
        c = torch.empty(500, 1000)  # 2 MB after the 4 MB were freed
        return b, c

    peak = benchmark_model.peak_memory(fn, torch.device('cpu'))
    assert abs(peak - 12e6 / 2**20) < 0.05


def test_main_writes_table_and_json(tmp_path, capsys):
    out = tmp_path / 'bench.json'
    res = benchmark_model.main([
        CONFIG, *TINY, '--batch', '2', '--runs', '2', '--warmup', '1',
        '--modes', 'infer', 'train', '--paths', 'joint', 'text',
        '--compare', 'text-once', 'baseline', 'cp', '--out', str(out)
    ])
    saved = json.loads(out.read_text())
    assert saved['rows'] == json.loads(json.dumps(res['rows']))
    assert [(r['mode'], r['path']) for r in saved['rows']] == [
        ('infer', 'joint'), ('infer', 'text'), ('train', 'joint'),
        ('train', 'text')]
    for row in saved['rows']:
        assert row['median_s'] > 0 and row['items_per_s'] > 0
        assert row['peak_mib'] > 0
    # a training step holds activations and gradients: more than inference
    peaks = {(r['mode'], r['path']): r['peak_mib'] for r in saved['rows']}
    assert peaks['train', 'joint'] > peaks['infer', 'joint']
    comp = {c['name']: c for c in saved['comparisons']}
    assert comp['text-once']['outputs_match']
    assert comp['baseline']['outputs_match']
    assert comp['cp']['peak_mib_cp'] > 0 and 'peak_memory_ratio' in comp['cp']
    assert 'torch.profiler' in saved['memory_method']
    assert saved['machine']['cpu_count'] >= 1
    table = capsys.readouterr().out
    assert 'items/s' in table and 'baseline' in table


def test_bf16_and_grad_checkpoint_options_reach_the_backbone(tmp_path):
    res = benchmark_model.main([
        CONFIG, *TINY, '--batch', '1', '--runs', '1', '--warmup', '0',
        '--modes', 'train', '--paths', 'video', '--dtype', 'bf16',
        '--grad-checkpoint', '--no-memory'
    ])
    row = res['rows'][0]
    assert row['dtype'] == 'bf16' and row['with_cp'] and row['peak_mib'] \
        is None


def test_bad_arch_is_a_clear_error():
    with pytest.raises(ValueError, match='dims,layers,heads'):
        benchmark_model.parse_arch('32,2')
