"""Checkpoint hook whose files are never left half-written by a kill."""
import errno
import fcntl
import glob
import hashlib
import os
import os.path as osp
import re
import socket
import sys
import time
from typing import Dict, List, Optional, Tuple

import torch
from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook

from mmallinone.registry import HOOKS
from ..optim_wrappers import all_ranks_finite

__all__ = [
    'AtomicCheckpointHook', 'atomic_write_text', 'acquire_work_dir_lock',
    'release_work_dir_lock', 'WorkDirLockedError', 'LOCK_NAME'
]

TMP_PREFIX = '.tmp-'
LOCK_NAME = '.mmallinone.lock'
#: ``.tmp-<pid>-h<host hash>-<name>`` (older files: ``.tmp-<pid>-<name>``).
_TMP_RE = re.compile(r'^\.tmp-(\d+)-(?:h([0-9a-f]{8})-)?')


def _host_tag() -> str:
    """8 hex digits identifying this machine (in temporary file names)."""
    return hashlib.sha1(socket.gethostname().encode()).hexdigest()[:8]


def _tmp_name(filename: str) -> str:
    """Hidden temporary name of this process (never matched by
    ``iter_*.pth`` globs): ``.tmp-<pid>-h<host>-<filename>``."""
    return f'{TMP_PREFIX}{os.getpid()}-h{_host_tag()}-{filename}'


def _pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


def _tmp_owner(name: str) -> Optional[Tuple[int, Optional[str]]]:
    """``(pid, host tag or None)`` of a temporary file name, or None."""
    match = _TMP_RE.match(name)
    if match is None:
        return None
    return int(match.group(1)), match.group(2)


class WorkDirLockedError(RuntimeError):
    """Another live job trains in the same work directory."""


#: Locks this process holds: real path -> open file descriptor.
_HELD_LOCKS: Dict[str, int] = {}


def acquire_work_dir_lock(folder: str) -> str:
    """Take the exclusive ``fcntl`` lock of a work directory.

    The lock file ``<folder>/.mmallinone.lock`` holds the pid, host and
    command of its owner. The lock is released by
    :func:`release_work_dir_lock` or when the process ends (also on a kill).
    Taking it again in the process that holds it is a no-op (sequential
    runners of one job).

    Args:
        folder (str): The work directory (created if missing).

    Returns:
        str: The lock file.

    Raises:
        WorkDirLockedError: Another live process holds the lock.
    """
    os.makedirs(folder, exist_ok=True)
    path = osp.realpath(osp.join(folder, LOCK_NAME))
    if path in _HELD_LOCKS:
        return path
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        if err.errno not in (errno.EAGAIN, errno.EACCES):
            os.close(fd)
            raise
        try:
            owner = os.pread(fd, 4096, 0).decode(errors='replace').strip()
        finally:
            os.close(fd)
        raise WorkDirLockedError(
            f'Another training job is using the work directory {folder} '
            f'({owner or "owner unknown"}; lock file {path}). Two jobs in '
            'one work directory overwrite each other\'s checkpoints and '
            'last_checkpoint: wait for it to finish, stop it, or use another '
            '--work-dir.') from None
    os.ftruncate(fd, 0)
    os.pwrite(
        fd, (f'pid {os.getpid()} on host {socket.gethostname()}, since '
             f'{time.strftime("%Y-%m-%d %H:%M:%S")}: '
             f'{" ".join(sys.argv)[:500]}\n').encode(), 0)
    _HELD_LOCKS[path] = fd
    return path


def release_work_dir_lock(folder: str) -> None:
    """Release the lock of ``folder`` if this process holds it."""
    path = osp.realpath(osp.join(folder, LOCK_NAME))
    fd = _HELD_LOCKS.pop(path, None)
    if fd is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def non_finite_parameters(model: torch.nn.Module,
                          limit: int = 5) -> List[str]:
    """Names of (up to ``limit``) floating-point parameters or buffers of
    ``model`` that hold NaN or inf."""
    bad = []
    tensors = list(model.named_parameters()) + list(model.named_buffers())
    for name, tensor in tensors:
        if tensor.is_floating_point() and tensor.numel() and \
                not bool(torch.isfinite(tensor.detach()).all()):
            bad.append(name)
            if len(bad) >= limit:
                break
    return bad


def _fsync(path: str) -> None:
    """Flush ``path`` to disk so that the rename publishes complete data."""
    with open(path, 'rb') as f:
        os.fsync(f.fileno())


def atomic_write_text(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename.

    Args:
        path (str): Destination file.
        text (str): Content.
    """
    folder, name = osp.split(path)
    tmp_path = osp.join(folder, _tmp_name(name))
    try:
        with open(tmp_path, 'w') as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        if osp.exists(tmp_path):
            os.remove(tmp_path)
        raise


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """``CheckpointHook`` that publishes every checkpoint atomically.

    MMEngine 0.10.7's ``CheckpointHook`` writes ``iter_N.pth`` in place
    (``LocalBackend.put`` opens the final path with ``'wb'``), rewrites
    ``last_checkpoint`` in place, and deletes the oldest kept checkpoint
    *before* the new one is saved. A job killed during a save can therefore
    leave a truncated latest checkpoint, an empty ``last_checkpoint`` or
    (with ``max_keep_ckpts=1``) no checkpoint at all.

    This hook, for checkpoints on the local file system:

    1. saves ``iter_N.pth`` to a hidden temporary file of the same folder
       (``.tmp-<pid>-iter_N.pth``), fsyncs it and ``os.replace``-s it into
       place (a rename is atomic on POSIX file systems);
    2. then rewrites ``last_checkpoint`` the same way;
    3. only then removes the checkpoints beyond ``max_keep_ckpts``.

    A kill at any point leaves the previous checkpoint and the
    ``last_checkpoint`` pointing to it intact (plus, at worst, a temporary
    file). Temporary files are named after their process
    (``.tmp-<pid>-h<host>-iter_N.pth``): ``before_train`` removes only those
    of this process and of processes of this machine that no longer exist,
    never a file another live job is writing.

    Two more guards:

    - **one job per work directory**: ``before_train`` takes an exclusive
      ``fcntl`` lock on ``<work_dir>/.mmallinone.lock`` (main process only;
      released after the run or when the process dies) and a second live job
      on the same folder stops with :class:`WorkDirLockedError` naming the
      owner (``lock_work_dir=False`` turns this off);
    - **no non-finite checkpoint**: before a save every floating-point
      parameter and buffer is checked; if one holds NaN/inf nothing is
      written, ``last_checkpoint`` keeps pointing to the previous (finite)
      checkpoint and the run stops with a ``RuntimeError`` naming the
      parameters (``check_finite=False`` turns this off).

    Remote back ends (``out_dir`` with
    a URI prefix or custom ``backend_args``) and the ``save_best`` copies
    fall back to MMEngine's behaviour (the finiteness check applies to
    them too).

    Args:
        check_finite (bool): Refuse to save non-finite weights. Defaults to
            True.
        lock_work_dir (bool): Lock the work directory. Defaults to True.
        **kwargs: Arguments of ``CheckpointHook``.

    Example:
        >>> default_hooks = dict(checkpoint=dict(
        ...     type='AtomicCheckpointHook', interval=5000, by_epoch=False,
        ...     max_keep_ckpts=3, save_last=True))
    """

    def __init__(self,
                 *args,
                 check_finite: bool = True,
                 lock_work_dir: bool = True,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.check_finite = check_finite
        self.lock_work_dir = lock_work_dir
        self._locked: List[str] = []

    def _is_local(self) -> bool:
        return (isinstance(self.file_backend, LocalBackend)
                and self.file_client_args is None)

    def before_train(self, runner) -> None:
        """Lock the work directory, set up the output folder and remove
        this machine's temporary files of processes that are gone."""
        super().before_train(runner)
        if not (self._is_local() and is_main_process()):
            return
        folders = sorted({osp.abspath(self.out_dir),
                          osp.abspath(runner.work_dir)})
        if self.lock_work_dir:
            for folder in folders:
                acquire_work_dir_lock(folder)
                self._locked.append(folder)
        host = _host_tag()
        for folder in folders:
            for path in glob.glob(osp.join(folder, TMP_PREFIX + '*')):
                owner = _tmp_owner(osp.basename(path))
                if owner is None:
                    continue  # not a name this hook writes
                pid, owner_host = owner
                if owner_host not in (None, host):
                    continue  # another machine's: its job may be alive
                if pid != os.getpid() and _pid_alive(pid):
                    runner.logger.info(
                        f'Keeping {path}: process {pid} is alive (another '
                        'job may be writing it).')
                    continue
                runner.logger.warning(
                    f'Removing {path}: a checkpoint save that did not '
                    f'finish (process {pid} was killed during the save).')
                os.remove(path)

    def after_run(self, runner) -> None:
        """Release the work directory lock."""
        for folder in self._locked:
            release_work_dir_lock(folder)
        self._locked = []

    def _check_finite(self, runner, step: int) -> None:
        """Raise instead of saving non-finite weights."""
        if not self.check_finite:
            return
        model = getattr(runner.model, 'module', runner.model)
        bad = non_finite_parameters(model)
        if all_ranks_finite(not bad):
            return
        last = getattr(self, 'last_ckpt', None) or \
            runner.message_hub.get_info('last_ckpt') or 'none'
        raise RuntimeError(
            f'Not saving the checkpoint of iteration {step}: non-finite '
            f'(NaN/inf) weights in {bad or "another rank"}. The latest '
            f'checkpoint stays {last}. Training stopped (lower the learning '
            'rate; NonFiniteLossHook skips or stops on non-finite losses).')

    def _save_checkpoint_with_step(self, runner, step: int,
                                   meta: Optional[dict]) -> None:
        """Save ``filename_tmpl.format(step)`` atomically, then rotate."""
        self._check_finite(runner, step)
        if not self._is_local():
            super()._save_checkpoint_with_step(runner, step, meta)
            return

        stale = []
        # `keep_ckpt_ids` exists only with max_keep_ckpts > 0
        kept = getattr(self, 'keep_ckpt_ids', None)
        already_kept = bool(kept and kept[-1] == step)
        if self.max_keep_ckpts > 0 and not already_kept:
            # `keep_ckpt_ids` is a deque with `maxlen=max_keep_ckpts`: pop
            # the oldest id ourselves, its file is removed after the save.
            while len(self.keep_ckpt_ids) >= self.max_keep_ckpts:
                stale.append(self.keep_ckpt_ids.popleft())
            self.keep_ckpt_ids.append(step)
            # Stored in the checkpoint below, as MMEngine does.
            runner.message_hub.update_info('keep_ckpt_ids',
                                           list(self.keep_ckpt_ids))

        ckpt_filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir,
                                                     ckpt_filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)

        tmp_filename = _tmp_name(ckpt_filename)
        tmp_path = osp.join(self.out_dir, tmp_filename)
        try:
            # `Runner.save_checkpoint` is master-only: other ranks return.
            runner.save_checkpoint(
                self.out_dir,
                tmp_filename,
                save_optimizer=self.save_optimizer,
                save_param_scheduler=self.save_param_scheduler,
                meta=meta,
                by_epoch=self.by_epoch,
                backend_args=self.backend_args,
                **self.args)
            if not is_main_process():
                return
            _fsync(tmp_path)
            os.replace(tmp_path, self.last_ckpt)
        except BaseException:
            if is_main_process() and osp.exists(tmp_path):
                os.remove(tmp_path)
            raise

        atomic_write_text(
            osp.join(runner.work_dir, 'last_checkpoint'), self.last_ckpt)

        for old_step in stale:
            old_path = osp.join(self.out_dir,
                                self.filename_tmpl.format(old_step))
            if osp.isfile(old_path):
                os.remove(old_path)
