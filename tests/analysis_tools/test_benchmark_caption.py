"""tools/analysis_tools/benchmark_caption.py on a tiny model."""
import json
import os.path as osp
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tests', 'apis'))
sys.path.insert(0, osp.join(REPO, 'tools', 'analysis_tools'))

import benchmark_caption  # noqa: E402
from tiny_models import tiny_config  # noqa: E402


def test_benchmark_caption_reports_both_paths(tmp_path):
    cfg = tiny_config('caption_ti_demo.py', str(tmp_path))
    out = str(tmp_path / 'bench.json')
    res = benchmark_caption.main([cfg, '--rounds', '2', '--max-len', '4',
                                  '--batch-size', '2', '--random-frames',
                                  '--strategy', 'beam', '--beam-size', '2',
                                  '--out', out])
    assert res['identical_tokens'] is True
    for name in ('cached', 'uncached'):
        row = res['results'][name]
        # fixed-length captions: 4 tokens + the end token, 2 clips, 2 rounds
        assert row['tokens'] == 2 * 2 * 5 and row['clips'] == 4
        assert row['tokens_per_s'] > 0 and row['clips_per_s'] > 0
    assert json.load(open(out))['decode']['min_len'] == 4
