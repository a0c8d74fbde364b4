"""Save the random number generators in checkpoints; restore on resume."""
import logging
import random
from typing import Dict, List, Optional

import numpy as np
import torch
from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.hooks import CheckpointHook, Hook
from mmengine.logging import print_log

from mmallinone.registry import HOOKS

__all__ = ['RandomStateHook', 'get_random_state', 'set_random_state']

#: Checkpoint key.
RANDOM_STATE_KEY = 'random_state'


def get_random_state() -> Dict:
    """This process's random states as plain types and tensors (loadable
    with ``torch.load(weights_only=True)``).

    Returns:
        dict: ``python`` (``random``), ``numpy`` (the legacy global
        generator), ``torch`` (CPU) and ``cuda`` (every device, when CUDA is
        initialised) states.
    """
    version, keys, gauss = random.getstate()
    name, np_keys, pos, has_gauss, cached = np.random.get_state()
    state = dict(
        python=dict(version=version,
                    keys=torch.tensor(keys, dtype=torch.int64),
                    gauss=gauss),
        numpy=dict(name=name,
                   keys=torch.from_numpy(np_keys.astype(np.int64)),
                   pos=int(pos), has_gauss=int(has_gauss),
                   cached=float(cached)),
        torch=torch.get_rng_state(),
        cuda=None)
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_random_state(state: Dict) -> None:
    """Restore states returned by :func:`get_random_state`."""
    py = state['python']
    random.setstate((py['version'], tuple(py['keys'].tolist()), py['gauss']))
    npy = state['numpy']
    np.random.set_state(
        (npy['name'], npy['keys'].numpy().astype(np.uint32), npy['pos'],
         npy['has_gauss'], npy['cached']))
    torch.set_rng_state(state['torch'])
    if state.get('cuda') is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


@HOOKS.register_module()
class RandomStateHook(Hook):
    """Make a resumed run draw the same random numbers as an uninterrupted one.

    At every iteration a checkpoint hook will save, the random states of all
    ranks (``random``, ``numpy``, torch CPU and CUDA) are gathered to rank 0
    and saved in the checkpoint under ``random_state``. When a run resumes
    from such a checkpoint, each rank restores its own states right before
    the first resumed iteration (after the dataloader was rebuilt, which
    draws from torch's generator). Together with
    :class:`~mmallinone.datasets.ResumableInfiniteSampler`'s per-sample seeds
    (data augmentation in the workers) the resumed run reproduces dropout,
    VTM negatives and every other draw of the model. See
    ``docs/reproducibility.md`` for what is and is not reproduced.

    A checkpoint loaded with ``load_from`` (not resumed) or saved by another
    world size is not applied (a warning says so for the latter).
    """

    priority = 'ABOVE_NORMAL'  # gathers before the checkpoint hook saves

    def __init__(self) -> None:
        self._gathered: Optional[List[Dict]] = None
        self._gathered_iter = -1
        self._pending: Optional[Dict] = None

    @staticmethod
    def _saves_now(runner) -> bool:
        """Whether a checkpoint hook saves after this iteration."""
        for hook in runner.hooks:
            if not isinstance(hook, CheckpointHook) or hook.by_epoch:
                continue
            if hook.every_n_train_iters(runner, hook.interval,
                                        hook.save_begin) or \
                    (hook.save_last and hook.is_last_train_iter(runner)):
                return True
        return False

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        """Gather the ranks' states when a checkpoint follows."""
        self._gathered = None
        if not self._saves_now(runner):
            return
        state = get_random_state()
        if get_world_size() > 1:
            self._gathered = all_gather_object(state)
        else:
            self._gathered = [state]
        # the checkpoint saved now resumes at iteration runner.iter + 1
        self._gathered_iter = runner.iter + 1

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Store the gathered states (rank 0 saves)."""
        if self._gathered is not None and \
                self._gathered_iter == runner.iter + 1:
            states, resume_iter = self._gathered, self._gathered_iter
        else:  # a save outside an iteration (e.g. after validation)
            states, resume_iter = [get_random_state()], runner.iter
        checkpoint[RANDOM_STATE_KEY] = dict(
            iter=resume_iter, world_size=len(states), ranks=states)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Keep the states; they are applied before the next iteration."""
        self._pending = checkpoint.get(RANDOM_STATE_KEY)

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch=None) -> None:
        """Restore this rank's states at the first resumed iteration."""
        pending, self._pending = self._pending, None
        if pending is None or pending.get('iter') != runner.iter:
            return  # nothing saved, or a load_from checkpoint
        rank, world_size = get_rank(), get_world_size()
        if pending['world_size'] != world_size:
            print_log(
                f'RandomStateHook: the checkpoint holds the random states of '
                f'{pending["world_size"]} ranks, this run has {world_size}: '
                'not restored (the resumed run draws other random numbers '
                'than an uninterrupted one would).',
                logger='current',
                level=logging.WARNING)
            return
        set_random_state(pending['ranks'][rank])
        print_log(
            f'Restored the random states saved at iteration {runner.iter} '
            '(python, numpy, torch CPU'
            f'{", CUDA" if pending["ranks"][rank].get("cuda") else ""}).',
            logger='current',
            level=logging.INFO)
