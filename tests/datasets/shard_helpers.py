"""Shards for the tests: made from the demo videos with make_shards.py, and
hand-written tars with broken members."""
import io
import json
import os.path as osp
import sys
import tarfile
from typing import Dict, List, Sequence

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO_CONFIG = osp.join(REPO, 'configs', 'allinone', 'pretrain_ti_demo.py')
for _p in (osp.join(REPO, 'tools', 'data'), osp.join(REPO, 'tests', 'fileio')):
    if _p not in sys.path:
        sys.path.insert(0, _p)


def make_demo_shards(out: str, *extra: str, mode: str = 'transcode',
                     per_shard: int = 2) -> Dict:
    """Pack the five demo videos (small, 2 s) with make_shards.py; return
    the manifest."""
    import make_shards
    args = [DEMO_CONFIG, out, '--mode', mode, '--samples-per-shard',
            str(per_shard), '--short-side', '48', '--fps', '6',
            '--max-seconds', '2', '--num-frames', '4', *extra]
    assert make_shards.main(args) == 0
    with open(osp.join(out, 'manifest.json')) as f:
        return json.load(f)


def write_tar(path: str, members: Sequence) -> None:
    """Write ``[(name, bytes), ...]`` as a tar file."""
    with tarfile.open(path, 'w', format=tarfile.USTAR_FORMAT) as tf:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))


def read_members(path: str) -> List:
    """``[(name, bytes), ...]`` of a tar file."""
    with tarfile.open(path) as tf:
        return [(m.name, tf.extractfile(m).read()) for m in tf.getmembers()]
