"""Build script. Metadata lives in setup.cfg; this file adds one build step.

A wheel (or an sdist-built wheel) carries, inside the package, the files a
user needs without a clone, in the folder OpenMMLab toolboxes use for them
(``mmallinone/.mim``; MMEngine reads ``pkg::`` config names from there):

    configs/  tools/  model-index.yml  data/demo/

They are copied from the source tree into the build directory at build time
(symbolic links are copied as the files they point to). In a source checkout
``mmallinone/.mim`` holds links to the same folders, so editable installs and
``PYTHONPATH`` runs use the repository's files in place and nothing is copied.
"""
import fnmatch
import os
import os.path as osp
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = osp.dirname(osp.abspath(__file__))

#: What the package ships in ``mmallinone/.mim`` (paths relative to ROOT).
MIM_ITEMS = ('configs', 'tools', 'model-index.yml', 'data/demo')
#: Not shipped: caches, and the WebVid / HowTo100M layout copies of the demo
#: videos (links to data/demo/*.mp4 that only the clone's examples use);
#: the MSR-VTT layout is kept, the vqa/mc demo configs read it.
MIM_EXCLUDE = ('__pycache__', '*.pyc', '*.pyo', 'data/demo/webvid/videos',
               'data/demo/howto100m/videos')


def _excluded(rel_path: str) -> bool:
    """Whether ``rel_path`` (relative to ROOT, ``/``-separated) is left out."""
    name = osp.basename(rel_path)
    return any(
        fnmatch.fnmatch(name, pattern) or rel_path == pattern
        or rel_path.startswith(pattern + '/') for pattern in MIM_EXCLUDE)


def copy_mim_files(target: str) -> list:
    """Copy :data:`MIM_ITEMS` from the source tree into ``target``.

    Returns:
        list[str]: The files written.
    """
    if osp.islink(target) or osp.isfile(target):
        os.remove(target)
    elif osp.isdir(target):
        shutil.rmtree(target)  # no stale files from an earlier build
    written = []
    for item in MIM_ITEMS:
        src = osp.join(ROOT, item)
        if not osp.exists(src):
            raise FileNotFoundError(
                f'{src} is missing: the package ships it in .mim/{item}')
        files = [src] if osp.isfile(src) else [
            osp.join(folder, name)
            for folder, _, names in os.walk(src, followlinks=True)
            for name in names
        ]
        for path in sorted(files):
            rel = osp.relpath(path, ROOT).replace(os.sep, '/')
            if _excluded(rel) or not osp.isfile(path):
                continue
            dst = osp.join(target, rel)
            os.makedirs(osp.dirname(dst), exist_ok=True)
            shutil.copyfile(path, dst)  # follows links
            shutil.copymode(path, dst)  # keeps the launchers executable
            written.append(dst)
    return written


class BuildPyWithMim(build_py):
    """``build_py`` that also fills ``mmallinone/.mim`` in the build dir."""

    def run(self) -> None:
        super().run()
        if getattr(self, 'editable_mode', False):
            return  # the checkout's mmallinone/.mim links are used in place
        self._mim_files = copy_mim_files(
            osp.join(self.build_lib, 'mmallinone', '.mim'))

    def get_outputs(self, include_bytecode: bool = True) -> list:
        return super().get_outputs(include_bytecode) + list(
            getattr(self, '_mim_files', []))


setup(cmdclass={'build_py': BuildPyWithMim})
