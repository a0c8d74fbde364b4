"""tools/analysis_tools/benchmark_ttr.py on a tiny arch."""
import json
import os.path as osp
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tools', 'analysis_tools'))

import benchmark_ttr  # noqa: E402

CONFIG = osp.join(REPO, 'configs', '_base_', 'models', 'allinone_b.py')


def test_main_writes_roll_and_sweep_tables(tmp_path, capsys):
    out = tmp_path / 'ttr.json'
    res = benchmark_ttr.main([
        CONFIG, '--arch', '32,1,2', '--img-size', '32', '--text-len', '8',
        '--max-frames', '4', '--measure-frames', '1', '3', '--runs', '3',
        '--warmup', '1', '--out', str(out)
    ])
    saved = json.loads(out.read_text())
    assert saved == json.loads(json.dumps(res))
    rolls = saved['roll_vs_block']
    assert len(rolls) == 5  # 4 strategies + the authors'-style copy
    for row in rolls:
        assert row['roll_s'] > 0 and row['block_s'] > 0
        assert row['fraction'] == row['roll_s'] / row['block_s']
    assert all('meets_target' in r for r in rolls[:4])
    sweep = saved['flatten_vs_rolling']
    assert [r['frames'] for r in sweep] == [1, 2, 3, 4]
    lt, lv, c = 8, 5, 32
    for r in sweep:
        s = r['frames']
        assert abs(r['rolling_attn_gmacs'] * 1e9 -
                   2 * s * (lt + lv)**2 * c) < 1e-3
        assert abs(r['flatten_attn_gmacs'] * 1e9 -
                   2 * (lt + s * lv)**2 * c) < 1e-3
    assert sweep[0]['attn_ratio'] == 1.0  # one frame: the same sequence
    assert 'time_ratio' in sweep[2] and 'time_ratio' not in sweep[1]
    assert 'roll/block' in capsys.readouterr().out
