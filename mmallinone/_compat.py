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
13. MMEngine 0.10.7 finds installed toolboxes (``mmaction::...``,
   ``mmpretrain::...``, ``mmallinone::...`` config names, ``get_config``)
   through ``pkg_resources``, which setuptools >= 81 no longer ships (torch
   pulls such a setuptools). We replace ``is_installed`` /
   ``get_installed_path`` / ``package2module`` with ``importlib.metadata`` /
   ``importlib.util.find_spec`` versions, and add the ``mmallinone`` scope
   to MMEngine's table of packages whose configs can be named
   (``MODULE2PACKAGE``).

The checkpoint loader, gloo on CPU and the normalisation layout (README's
dependency traps 2, 7 and 6) live with the code they concern:
:mod:`mmallinone.checkpoint.loading`, :mod:`mmallinone.utils.dist` and
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


#: The exact start of mmcv-lite's import-time warning (README's trap 11).
MMCV_LITE_WARNING = 'Fail to import ``MultiScaleDeformableAttention``'


def _silence_mmcv_lite_warning() -> None:
    """Hide mmcv-lite's harmless missing-op warning (nothing else)."""
    import warnings
    warnings.filterwarnings(
        'ignore', message=re.escape(MMCV_LITE_WARNING), category=UserWarning)


def _package2module(package: str) -> str:
    """The top-level module a distribution installs (``mmaction2`` ->
    ``mmaction``), read from its ``top_level.txt`` like upstream."""
    import importlib.metadata as metadata
    try:
        dist = metadata.distribution(package)
    except metadata.PackageNotFoundError as e:
        raise ValueError(f'can not infer the module name of {package}') from e
    top_level = (dist.read_text('top_level.txt') or '').split()
    if top_level:
        return top_level[0]
    # wheels built by other back-ends may lack top_level.txt
    for module, dists in metadata.packages_distributions().items():
        if dist.metadata['Name'] in dists and not module.startswith('_'):
            return module
    raise ValueError(f'can not infer the module name of {package}')


def _is_installed(package: str) -> bool:
    """``mmengine.utils.is_installed`` without ``pkg_resources``.

    True if a distribution of that name is installed, or (as upstream) if a
    module of that name can be imported (a package on ``PYTHONPATH``).
    """
    import importlib.metadata as metadata
    import importlib.util
    try:
        metadata.distribution(package)
        return True
    except metadata.PackageNotFoundError:
        pass
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return False
    return spec is not None and spec.origin is not None


def _get_installed_path(package: str) -> str:
    """``mmengine.utils.get_installed_path`` without ``pkg_resources``.

    The directory of the module that ``import`` finds, so that a package on
    ``PYTHONPATH`` (a source checkout) wins over an installed copy exactly
    as it does for the code. ``package`` is a distribution name
    (``mmaction2``) or a module name (``mmallinone``).
    """
    import importlib.metadata as metadata
    import importlib.util
    import os.path as osp
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        try:
            spec = importlib.util.find_spec(_package2module(package))
        except ValueError:
            raise metadata.PackageNotFoundError(package) from None
    if spec is None:
        raise metadata.PackageNotFoundError(package)
    if spec.origin is None:
        raise RuntimeError(
            f'{package} is a namespace package, which is invalid for '
            '`get_install_path`')
    return osp.dirname(spec.origin)


#: MMEngine's functions replaced by :func:`_patch_mmengine_package_lookup`,
#: kept so that ``tests/test_compat.py`` can check the upstream defect.
UPSTREAM_PACKAGE_UTILS: dict = {}


def _patch_mmengine_package_lookup() -> None:
    """Route MMEngine's package look-ups through ``importlib`` (patch 13).

    Upstream: ``mmengine/utils/package_utils.py`` (0.10.7) imports
    ``pkg_resources`` inside ``is_installed``, ``get_installed_path`` and
    ``package2module``; ``mmengine.config.config`` and ``mmengine.hub.hub``
    import the first two by name. Every such reference is replaced.
    """
    try:
        import mmengine.utils.package_utils as package_utils
    except ImportError:  # MMEngine not installed
        return
    replacements = dict(is_installed=_is_installed,
                        get_installed_path=_get_installed_path,
                        package2module=_package2module)
    for name, func in replacements.items():
        UPSTREAM_PACKAGE_UTILS.setdefault(name, getattr(package_utils, name))
    modules = ['mmengine.utils.package_utils', 'mmengine.utils',
               'mmengine.config.config', 'mmengine.hub.hub']
    import importlib
    for module_name in modules:
        module = importlib.import_module(module_name)
        for name, func in replacements.items():
            if hasattr(module, name):
                setattr(module, name, func)
    from mmengine.config.utils import MODULE2PACKAGE
    MODULE2PACKAGE.setdefault('mmallinone', 'mmallinone')


def apply() -> None:
    """Apply every patch; idempotent."""
    _silence_mmcv_lite_warning()
    _restore_numpy_in1d()
    _disable_toolbox_multimodal()
    _stub_mmaction_drn()
    _patch_mmengine_package_lookup()


apply()
