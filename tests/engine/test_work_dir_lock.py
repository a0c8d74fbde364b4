"""Two jobs on one work directory (issue 16, item 9).

The checkpoint hook removes only temporary files of its own process or of
processes of this machine that are gone (never a file a live job is
writing), and a second live job on the same work directory is refused with a
message naming the first one.
"""
import hashlib
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest
from mmengine.runner import Runner

import mmallinone  # noqa: F401
import mmallinone.utils  # noqa: F401

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOLS_TESTS = osp.join(REPO, 'tests', 'tools')


def _runner(work_dir: str, name: str) -> Runner:
    sys.path.insert(0, TOOLS_TESTS)
    try:
        from toy_components import toy_runner_cfg
    finally:
        sys.path.remove(TOOLS_TESTS)
    cfg = toy_runner_cfg(work_dir, max_iters=2, experiment_name=name,
                         log_level='WARNING')
    cfg['default_hooks']['checkpoint'] = dict(
        type='AtomicCheckpointHook', interval=2, by_epoch=False)
    return Runner(**cfg)


def _sleeper(*code: str) -> subprocess.Popen:
    """A live process (optionally running ``code`` first); prints 'ready'."""
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join([REPO, env.get('PYTHONPATH', '')])
    script = '\n'.join([*code, 'print("ready", flush=True)',
                        'import time', 'time.sleep(120)'])
    proc = subprocess.Popen([sys.executable, '-c', script], env=env,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == 'ready'
    return proc


def test_only_own_or_dead_temporary_files_are_removed(tmp_path):
    work_dir = str(tmp_path)
    live = _sleeper()
    try:
        # the hook's temporary names: .tmp-<pid>-h<host hash>-<file>
        host = hashlib.sha1(socket.gethostname().encode()).hexdigest()[:8]
        names = {
            'live': f'.tmp-{live.pid}-h{host}-iter_9.pth',
            'other_host': f'.tmp-{live.pid + 1}-h00000000-iter_9.pth',
            'dead': f'.tmp-{live.pid + 1000000}-h{host}-iter_9.pth',
        }
        for name in names.values():
            with open(osp.join(work_dir, name), 'wb') as f:
                f.write(b'half written')
        _runner(work_dir, 'first').train()
        left = set(os.listdir(work_dir))
        assert names['live'] in left  # another live job's save in progress
        assert names['other_host'] in left  # cannot tell: kept
        assert names['dead'] not in left  # its process is gone
        assert 'iter_2.pth' in left
    finally:
        live.kill()
        live.wait()


@pytest.mark.slow  # a subprocess run
def test_second_live_job_on_the_same_work_dir_is_refused(tmp_path):
    work_dir = str(tmp_path)
    holder = _sleeper(
        'from mmallinone.engine.hooks.atomic_checkpoint_hook import '
        'acquire_work_dir_lock',
        f'acquire_work_dir_lock({work_dir!r})')
    try:
        runner = _runner(work_dir, 'second')
        # mmallinone.engine.hooks.atomic_checkpoint_hook.WorkDirLockedError
        with pytest.raises(RuntimeError,
                           match=f'pid {holder.pid} on host'):
            runner.train()
        assert not osp.exists(osp.join(work_dir, 'iter_2.pth'))
    finally:
        holder.kill()
        holder.wait()
    # the holder is gone (killed): its lock went with it
    _runner(work_dir, 'third').train()
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))
    # and sequential runners of one process share the lock
    _runner(work_dir, 'fourth').train()
