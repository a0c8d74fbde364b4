"""benchmark_pipeline.py on the demo pre-training config (real decoding)."""
import json
import os.path as osp
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tools', 'analysis_tools'))

import benchmark_pipeline  # noqa: E402
import torch  # noqa: E402


def test_benchmark_pipeline_demo(tmp_path, capsys):
    out = str(tmp_path / 'pipe.json')
    threads = max(2, torch.get_num_threads())
    torch.set_num_threads(threads)
    res = benchmark_pipeline.main([
        osp.join(REPO, 'configs', 'allinone', 'pretrain_ti_demo.py'),
        '--samples', '2', '--warmup', '1', '--workers', '0', '--out', out,
        '--cfg-options', 'train_dataloader.dataset.data_root=' +
        osp.join(REPO, 'data', 'demo')
    ])
    # the one-thread measurement does not leak into the caller's process
    assert torch.get_num_threads() == threads
    table = capsys.readouterr().out
    assert '| VideoDecode |' in table and '| TokenizeText |' in table
    steps = {r['transform']: r for r in res['transforms']}
    assert steps['VideoDecode']['ms'] > 0
    assert abs(sum(r['share'] for r in res['transforms']) - 1) < 1e-6
    (row, ) = res['workers']
    # every timed sample decoded its clip and a false clip
    assert row['samples'] == 2 and row['clips'] == 4
    assert row['clips_per_s'] > 0
    assert json.load(open(out))['workers'][0]['clips'] == 4
