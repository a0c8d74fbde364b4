"""Checkpoint hook whose files are never left half-written by a kill."""
import glob
import os
import os.path as osp
from typing import Optional

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook

from mmallinone.registry import HOOKS

__all__ = ['AtomicCheckpointHook', 'atomic_write_text']

TMP_PREFIX = '.tmp-'


def _tmp_name(filename: str) -> str:
    """Hidden temporary name (never matched by ``iter_*.pth`` globs)."""
    return f'{TMP_PREFIX}{os.getpid()}-{filename}'


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
    file, which ``before_train`` removes). Remote back ends (``out_dir`` with
    a URI prefix or custom ``backend_args``) and the ``save_best`` copies
    fall back to MMEngine's behaviour. Arguments are those of
    ``CheckpointHook``.

    Example:
        >>> default_hooks = dict(checkpoint=dict(
        ...     type='AtomicCheckpointHook', interval=5000, by_epoch=False,
        ...     max_keep_ckpts=3, save_last=True))
    """

    def _is_local(self) -> bool:
        return (isinstance(self.file_backend, LocalBackend)
                and self.file_client_args is None)

    def before_train(self, runner) -> None:
        """Set up the output folder and remove stale temporary files."""
        super().before_train(runner)
        if self._is_local() and is_main_process():
            for folder in {self.out_dir, runner.work_dir}:
                for path in glob.glob(osp.join(folder, TMP_PREFIX + '*')):
                    runner.logger.warning(
                        f'Removing {path}: a checkpoint save that did not '
                        'finish (the job was killed during the save).')
                    os.remove(path)

    def _save_checkpoint_with_step(self, runner, step: int,
                                   meta: Optional[dict]) -> None:
        """Save ``filename_tmpl.format(step)`` atomically, then rotate."""
        if not self._is_local():
            super()._save_checkpoint_with_step(runner, step, meta)
            return

        stale = []
        already_kept = bool(self.keep_ckpt_ids
                            and self.keep_ckpt_ids[-1] == step)
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
