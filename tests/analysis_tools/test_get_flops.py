"""tools/analysis_tools/get_flops.py on a tiny arch."""
import json
import os.path as osp
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tools', 'analysis_tools'))

import get_flops  # noqa: E402

CONFIG = osp.join(REPO, 'configs', '_base_', 'models', 'allinone_b.py')


def test_main_counts_macs_per_path_and_writes_json(tmp_path, capsys):
    out = tmp_path / 'flops.json'
    c, layers, lt, lv, s = 32, 2, 8, 5, 3  # 32x32 frames, patch 16: 4 + 1
    res = get_flops.main([CONFIG, '--arch', f'{c},{layers},2', '--img-size',
                          '32', '--text-len', str(lt), '--out', str(out)])
    saved = json.loads(out.read_text())
    assert saved['visual_tokens_per_frame'] == lv
    assert 'MACs' in saved['convention']
    rows = {r['path']: r for r in saved['rows']}
    assert set(rows) == {'joint', 'video', 'text'}
    # hand count of the linear layers: qkv 3C^2 + proj C^2 + MLP 8C^2 per
    # token and block
    for path, tokens in (('joint', s * (lt + lv)), ('video', s * lv),
                         ('text', lt)):
        linear = rows[path]['by_operator']['linear']
        assert linear == tokens * layers * 12 * c * c, path
    # attention products (q k^T and attn v) are counted via the SDPA handle
    assert rows['joint']['attention_macs'] == \
        s * layers * 2 * (lt + lv)**2 * c
    assert rows['text']['attention_macs'] == layers * 2 * lt**2 * c
    # patch embedding conv only where there are frames
    assert rows['video']['by_operator']['conv'] == s * 4 * 3 * 16 * 16 * c
    assert 'conv' not in rows['text']['by_operator']
    assert rows['joint']['macs'] > rows['video']['macs'] > \
        rows['text']['macs']
    assert rows['video']['params'] < rows['joint']['params'] == \
        rows['joint']['params_total']
    assert res['rows'][0]['gflops_2x'] == 2 * res['rows'][0]['gmacs']
    assert 'paper' not in saved  # only stated for B at 3x224^2
    assert 'GMACs' in capsys.readouterr().out


def test_sdpa_handle_formula():
    class Value:
        def __init__(self, shape):
            self.shape = shape

        def isCompleteTensor(self):
            return True

        def type(self):
            return self

        def sizes(self):
            return self.shape

    q, k, v = Value([2, 3, 5, 4]), Value([2, 3, 7, 4]), Value([2, 3, 7, 6])
    assert get_flops.sdpa_flop_jit([q, k, v], []) == 2 * 3 * 5 * 7 * (4 + 6)
