"""The checkpoint package's import contract: ``import mmallinone`` registers
the loaders without importing the models; the table-fitting modules (which
use the models' embedding resizers) import cleanly on their own."""
import os
import subprocess
import sys
import textwrap

import pytest

REPO = os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SCRIPT = textwrap.dedent("""
    import sys
    import mmallinone
    from mmengine.runner import CheckpointLoader
    from mmallinone.checkpoint import load_from_hub, load_from_local_safe
    assert CheckpointLoader._get_checkpoint_loader('/a/b.pth') is \\
        load_from_local_safe
    assert CheckpointLoader._get_checkpoint_loader('hf://a/b') is \\
        load_from_hub
    loaded = sorted(m for m in sys.modules
                    if m.startswith('mmallinone.models'))
    assert not loaded, loaded

    # first import of the fitting module, before mmallinone.models: no cycle
    from mmallinone.checkpoint.backbone_fitting import fit_backbone_tables
    import torch
    from mmallinone.models import AllInOneTransformer
    kw = dict(arch=dict(embed_dims=32, num_layers=1, num_heads=2),
              img_size=32, patch_size=16, vocab_size=50, max_text_len=8)
    src = AllInOneTransformer(num_frames=2, **kw)
    dst = AllInOneTransformer(num_frames=4, **kw)
    with torch.no_grad():
        src.temporal_embed.normal_()
        dst.temporal_embed.fill_(1.)
    dst.load_state_dict(src.state_dict())  # fitted by the backbone's hook
    assert torch.equal(dst.temporal_embed[:, :2], src.temporal_embed)
    assert not dst.temporal_embed[:, 2:].any()  # 'pad' appends zeros
    print('OK')
""")


@pytest.mark.slow  # a subprocess run
def test_import_contract_and_fitting_without_cycle():
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    out = subprocess.run([sys.executable, '-c', SCRIPT],
                         cwd=REPO,
                         env=env,
                         capture_output=True,
                         text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().endswith('OK')
