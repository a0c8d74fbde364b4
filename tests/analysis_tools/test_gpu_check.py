"""tools/analysis_tools/gpu_check.py: exits at once (code 0) without CUDA;
its report helpers; every CPU-capable section run on a tiny model
(``--dry-run-cpu``) so the GPU run's code paths are exercised here."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(REPO, 'tools', 'analysis_tools', 'gpu_check.py')
sys.path.insert(0, osp.dirname(TOOL))
import gpu_check  # noqa: E402


def _run(*args, timeout=120):
    env = dict(os.environ, CUDA_VISIBLE_DEVICES='', OMP_NUM_THREADS='1')
    env['PYTHONPATH'] = os.pathsep.join([REPO, env.get('PYTHONPATH', '')])
    return subprocess.run([sys.executable, TOOL, *args], cwd=REPO, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout)


@pytest.mark.slow  # a subprocess run
def test_exits_at_once_without_cuda(tmp_path):
    out = tmp_path / 'out'
    proc = _run('--out', str(out))
    assert proc.returncode == 0, proc.stdout
    assert 'CUDA is not available' in proc.stdout
    assert not out.exists()  # nothing measured, nothing written


def test_peak_flops_and_markdown():
    assert gpu_check.peak_tflops('NVIDIA H200') == 989.0
    assert gpu_check.peak_tflops('NVIDIA H100 PCIe') == 756.0
    assert gpu_check.peak_tflops('NVIDIA A100-SXM4-80GB') == 312.0
    assert gpu_check.peak_tflops('Some Future GPU') is None
    text = gpu_check.markdown(dict(
        environment=dict(gpu='X', dry_run=False),
        sections=dict(
            inference=dict(status='ok', wall_s=3.0, rows=[
                dict(dtype='bf16', path='joint', videos_per_s=123.456,
                     mfu=0.41)]),
            decode=dict(status='skipped', wall_s=0.0,
                        reason='torchcodec CUDA not available'))))
    assert '| dtype | path | videos_per_s | mfu |' in text
    assert '| bf16 | joint | 123 | 0.41 |' in text
    assert '## decode (skipped, 0 s)' in text
    assert 'torchcodec CUDA not available' in text


@pytest.mark.slow
def test_dry_run_on_cpu(tmp_path):
    out = tmp_path / 'out'
    proc = _run('--dry-run-cpu', '--out', str(out), '--sections',
                'inference', 'decode', 'fsdp', 'train', timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:]
    result = json.load(open(out / 'gpu_check.json'))
    sections = result['sections']
    assert {k: v['status'] for k, v in sections.items()} == dict(
        inference='ok', decode='ok', fsdp='skipped', train='ok')
    inference = sections['inference']['rows']
    assert {(r['dtype'], r['path']) for r in inference} == {
        ('bf16', 'joint'), ('bf16', 'video'), ('fp16', 'joint'),
        ('fp16', 'video')}
    assert all(r['videos_per_s'] > 0 and r['gmacs_per_video'] > 0
               for r in inference)
    # the joint path (text + video) costs more than the video-only one
    joint, video = (next(r['gmacs_per_video'] for r in inference
                         if r['path'] == p) for p in ('joint', 'video'))
    assert joint > video
    decode = sections['decode']['rows']
    assert decode[0]['device'] == 'cpu' and decode[0]['clips_per_s'] > 0
    train = sections['train']['rows']
    assert [r['with_cp'] for r in train] == [False, True]
    assert (out / 'gpu_check.md').read_text().startswith('# GPU check')
