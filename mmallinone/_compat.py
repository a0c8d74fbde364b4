"""Work-arounds for upstream defects in the pinned OpenMMLab stack.

This module is imported first by :mod:`mmallinone` and is the *only* place
where the project patches its dependencies. Every patch names its upstream
cause and is covered by ``tests/test_compat.py``, which fails as soon as the
upstream behaviour changes (so a patch that is no longer needed is noticed).

Patches (numbered as in the project's dependency notes):

1. mmaction2 1.2.0's wheel lacks ``mmaction/models/localizers/drn/``
   (open-mmlab/mmaction2#2714), so ``import mmaction.models`` raises
   ``ModuleNotFoundError``. We put stub modules into :data:`sys.modules`.
3. mmaction2's VindLU and mmpretrain's BLIP/OFA import symbols that
   transformers removed (``apply_chunking_to_forward`` in 4.56,
   ``GenerationMixin`` paths in 4.52/5.x). We never use those classes, so we
   turn the toolboxes' multimodal switch off before their models import.
   numpy >= 2.4 removed ``np.in1d`` that mmaction2's/mmpretrain's retrieval
   metrics call; we alias it to the equivalent ``np.isin(...).ravel()``.
11. mmcv-lite has no compiled ops, so ``mmcv.cnn.bricks.transformer`` warns
   at import that ``MultiScaleDeformableAttention`` is missing. We use no
   mmcv op; the warning is silenced (only that message).

The checkpoint loader (trap 2), gloo on CPU (trap 7) and the normalisation
layout (trap 6) live with the code they concern:
:mod:`mmallinone.utils.checkpoint`, :mod:`mmallinone.utils.dist` and
:mod:`mmallinone.models.data_preprocessors`.
"""
import re
import sys
import types

import numpy as np

_DRN_MODULES = ('mmaction.models.localizers.drn',
                'mmaction.models.localizers.drn.drn')


def _stub_mmaction_drn() -> None:
    """Register placeholder modules for mmaction2's missing DRN localizer.

    Upstream: mmaction2 1.2.0 ships ``localizers/__init__.py`` importing
    ``.drn.drn.DRN`` but not the ``drn`` package itself (issue #2714).
    The stub's ``DRN`` raises if anyone tries to build it.
    """
    import importlib.util
    import os.path as osp
    spec = importlib.util.find_spec('mmaction')
    if spec is None or spec.origin is None:
        return  # mmaction2 not installed
    drn_dir = osp.join(osp.dirname(spec.origin), 'models', 'localizers', 'drn')
    if osp.isfile(osp.join(drn_dir, 'drn.py')):
        return  # upstream fixed: nothing to do

    class DRN:  # noqa: D401 - placeholder

        def __init__(self, *args, **kwargs):
            raise NotImplementedError(
                'DRN is missing from the mmaction2 1.2.0 wheel '
                '(open-mmlab/mmaction2#2714); mmallinone stubs it out.')

    pkg = types.ModuleType(_DRN_MODULES[0])
    pkg.__path__ = []  # mark as package
    mod = types.ModuleType(_DRN_MODULES[1])
    mod.DRN = DRN
    pkg.drn = mod
    sys.modules.setdefault(_DRN_MODULES[0], pkg)
    sys.modules.setdefault(_DRN_MODULES[1], mod)


def _disable_toolbox_multimodal() -> None:
    """Switch off mmaction2's and mmpretrain's transformers-based models.

    Upstream: ``mmaction.utils.dependency.WITH_MULTIMODAL`` and
    ``mmpretrain.utils.dependency.WITH_MULTIMODAL`` gate VindLU / BLIP / OFA,
    whose imports break with transformers >= 4.52 / 4.56. Their names become
    placeholders; mmallinone does not use them.
    """
    for name in ('mmaction.utils.dependency', 'mmpretrain.utils.dependency'):
        models = name.split('.')[0] + '.models'
        if models in sys.modules:
            continue  # too late to change, already imported
        try:
            module = __import__(name, fromlist=['WITH_MULTIMODAL'])
        except ImportError:  # toolbox not installed
            continue
        module.WITH_MULTIMODAL = False


def _restore_numpy_in1d() -> None:
    """Give numpy >= 2.4 back ``np.in1d`` for the toolboxes' metrics.

    Upstream: numpy 2.4 removed ``in1d`` (deprecated since 2.0);
    ``mmaction.evaluation.RetrievalRecall`` and mmpretrain's retrieval
    metrics still call it. ``in1d(a, b)`` equals ``isin(a, b).ravel()``.
    """
    if hasattr(np, 'in1d'):
        return

    def in1d(ar1, ar2, assume_unique=False, invert=False, **kwargs):
        return np.isin(
            ar1, ar2, assume_unique=assume_unique, invert=invert,
            **kwargs).ravel()

    np.in1d = in1d


#: The exact start of mmcv-lite's import-time warning (trap 11).
MMCV_LITE_WARNING = 'Fail to import ``MultiScaleDeformableAttention``'


def _silence_mmcv_lite_warning() -> None:
    """Hide mmcv-lite's harmless missing-op warning (nothing else)."""
    import warnings
    warnings.filterwarnings(
        'ignore', message=re.escape(MMCV_LITE_WARNING), category=UserWarning)


def apply() -> None:
    """Apply every patch; idempotent."""
    _silence_mmcv_lite_warning()
    _restore_numpy_in1d()
    _disable_toolbox_multimodal()
    _stub_mmaction_drn()


apply()
