"""benchmark_pipeline.py --data-paths: every row decodes real clips."""
import json
import os.path as osp
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tools', 'analysis_tools'))
sys.path.insert(0, osp.join(REPO, 'tools', 'data', 'synthetic'))

import benchmark_pipeline  # noqa: E402
import make_webvid_like_clips  # noqa: E402


@pytest.mark.slow
def test_data_paths_rows(tmp_path, capsys):
    pytest.importorskip('av')
    clips = make_webvid_like_clips.main([
        '--out', str(tmp_path / 'clips'), '--num', '2', '--min-seconds', '2',
        '--max-seconds', '2', '--width', '128', '--height', '72'])
    out = str(tmp_path / 'res.json')
    res = benchmark_pipeline.main([
        osp.join(REPO, 'configs', 'allinone', 'pretrain_b_webvid_howto.py'),
        '--data-paths', clips, '--num-clips', '2', '--rounds', '1',
        '--samples', '2', '--workers', '0', '--out', out])
    rows = {r['row']: r for r in res['rows']}
    for name in ('(a) raw+decord', '(b) shards+pyav', '(c) transcoded+pyav',
                 '(d) frames', '(e) keyframe+pyav', '(f) jpeg-limit'):
        assert rows[name]['clips'] == 2 and rows[name]['failed'] == 0
        assert rows[name]['skipped'] == 0
        assert rows[name]['clips_per_cpu_s'] > 0
    assert rows['(a) raw+decord']['x_a'] == pytest.approx(1.0)
    # scaling rows of (a), the best video shard row and the frame shards
    assert {r['row'] for r in res['scaling']} >= {'(a) raw+decord',
                                                   '(d) frames'}
    table = capsys.readouterr().out
    assert '| (d) frames |' in table and 'bytes per clip' in table
    saved = json.load(open(out))
    assert set(saved['bytes_per_clip']) == {'raw', 'copy', 'transcode',
                                            'frames'}
