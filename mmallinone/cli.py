"""The ``mmallinone`` command: the shipped tools without a clone.

A wheel carries ``tools/`` and ``configs/`` in ``mmallinone/.mim``; this
command runs those tools, with the same arguments as ``python tools/...``::

    mmallinone train mmallinone::allinone/pretrain_ti_demo.py
    mmallinone test CONFIG CHECKPOINT [--dump preds.pkl]
    mmallinone dist_train CONFIG N [train args]      # torchrun, N processes
    mmallinone search --config CONFIG --checkpoint CKPT --videos DIR ...
    mmallinone convert allinone_to_mmallinone IN.ckpt OUT.pth
    mmallinone benchmark model CONFIG ...
    mmallinone tool analysis_tools/get_flops.py CONFIG   # any shipped tool
    mmallinone configs [PATTERN]                          # list config names

Any argument of the form ``scope::path.py`` (``mmallinone::``,
``mmaction::``, ``mmpretrain::``) is replaced by the shipped config file
before the tool runs. Python tools run in this process (``runpy``, as
``__main__``); the shell launchers run with this interpreter's ``bin``
folder first on ``PATH`` (``torchrun``, ``python``).
"""
import argparse
import fnmatch
import os
import os.path as osp
import runpy
import subprocess
import sys
from typing import Dict, List, Optional, Sequence, Tuple

#: command -> (tool under tools/, one-line help)
COMMANDS: Dict[str, Tuple[str, str]] = {
    'train': ('train.py', 'train: CONFIG [--work-dir DIR] [--resume] ...'),
    'test': ('test.py', 'test: CONFIG CHECKPOINT [--dump FILE] ...'),
    'dist_train': ('dist_train.sh', 'torchrun training: CONFIG N [args]'),
    'dist_test': ('dist_test.sh', 'torchrun testing: CONFIG CKPT N [args]'),
    'slurm_train': ('slurm_train.sh',
                    'Slurm: PARTITION JOB CONFIG WORK_DIR [args]'),
    'slurm_test': ('slurm_test.sh', 'Slurm: PARTITION JOB CONFIG CKPT [args]'),
    'search': ('demo/search.py', 'text-to-video search over a folder'),
    'qa': ('demo/qa.py', 'answer a question about a video'),
    'cloze': ('visualizations/cloze.py', 'fill masked words, heat maps'),
    'build_index': ('retrieval/build_index.py',
                    'FAISS index of video embeddings'),
    'search_index': ('retrieval/search.py', 'query a FAISS video index'),
    'export': ('deployment/export_onnx.py', 'export the encoders to ONNX'),
    'prepare_dataset': ('data/prepare_dataset.py',
                        'lay out and check a downloaded benchmark'),
}
#: command -> (folder under tools/, file prefix): `command NAME` runs
#: tools/<folder>/<prefix><NAME>.py
GROUPS: Dict[str, Tuple[str, str, str]] = {
    'convert': ('model_converters', '', 'checkpoint converters'),
    'benchmark': ('analysis_tools', 'benchmark_',
                  'speed / memory / recall benchmarks'),
    'analysis': ('analysis_tools', '', 'FLOPs, logs, temporal ablation'),
}


def mim_root() -> str:
    """``mmallinone/.mim``: configs/, tools/, model-index.yml, data/demo."""
    return osp.join(osp.dirname(osp.abspath(__file__)), '.mim')


def tools_root() -> str:
    """The shipped ``tools/`` folder."""
    return osp.join(mim_root(), 'tools')


def _group_members(group: str) -> List[str]:
    folder, prefix, _ = GROUPS[group]
    path = osp.join(tools_root(), folder)
    names = sorted(n for n in os.listdir(path) if n.endswith('.py'))
    return [n[len(prefix):-3] for n in names if n.startswith(prefix)]


def config_names(pattern: str = '*') -> List[str]:
    """``mmallinone::`` names of the shipped configs matching ``pattern``."""
    root = osp.join(mim_root(), 'configs')
    names = []
    for folder, dirs, files in os.walk(root, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d != '__pycache__')
        for name in sorted(files):
            if name.endswith('.py'):
                rel = osp.relpath(osp.join(folder, name), root)
                rel = rel.replace(os.sep, '/')
                if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(
                        rel, f'*{pattern}*'):
                    names.append(f'mmallinone::{rel}')
    return names


def resolve_names(args: Sequence[str]) -> List[str]:
    """Replace every ``scope::path`` config name by its file."""
    from mmallinone.utils.config import is_config_name, resolve_config
    return [resolve_config(a) if is_config_name(a) else a for a in args]


def run_tool(tool: str, args: Sequence[str]) -> int:
    """Run ``tools/<tool>`` with ``args``; the exit status."""
    path = osp.join(tools_root(), tool)
    if not osp.isfile(path):
        raise SystemExit(f'mmallinone: {tool} is not among the shipped '
                         f'tools ({tools_root()})')
    args = resolve_names(args)
    if path.endswith('.sh'):
        env = dict(os.environ)
        bin_dir = osp.dirname(sys.executable)
        env['PATH'] = bin_dir + os.pathsep + env.get('PATH', '')
        return subprocess.call(['bash', path, *args], env=env)
    argv, sys_path = sys.argv, list(sys.path)
    sys.argv = [path, *args]
    sys.path.insert(0, osp.dirname(path))  # as `python tools/x.py` does
    try:
        runpy.run_path(path, run_name='__main__')
    except SystemExit as e:  # argparse / the tool's own exit
        code = e.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    finally:
        sys.argv, sys.path[:] = argv, sys_path
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser (sub-commands take the tool's own options)."""
    from mmallinone.version import __version__
    parser = argparse.ArgumentParser(
        prog='mmallinone',
        description='Run mmallinone tools (shipped in the package). Config '
        'arguments take files or names like '
        'mmallinone::allinone/pretrain_ti_demo.py; `mmallinone COMMAND -h` '
        "shows a tool's options.")
    parser.add_argument('--version', action='version', version=__version__)
    sub = parser.add_subparsers(dest='command', metavar='COMMAND')
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    for name, (_, _, help_text) in GROUPS.items():
        sub.add_parser(name, help=f'{help_text}: {name} NAME [args]',
                       add_help=False)
    tool = sub.add_parser('tool', help='any shipped tool: PATH [args] '
                          '(PATH relative to tools/)', add_help=False)
    tool.add_argument('path', nargs='?')
    configs = sub.add_parser('configs', help='list config names')
    configs.add_argument('pattern', nargs='?', default='*',
                         help='glob or substring, e.g. "allinone/*demo*"')
    sub.add_parser('root', help='print the folder holding configs/, tools/, '
                   'model-index.yml and data/demo')
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the ``mmallinone`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv or argv[0] in ('-h', '--help', '--version'):
        parser.parse_args(argv)
        parser.print_help()
        return 0
    command, rest = argv[0].replace('-', '_'), argv[1:]
    if command in COMMANDS:
        return run_tool(COMMANDS[command][0], rest)
    if command in GROUPS:
        members = _group_members(command)
        if not rest or rest[0] in ('-h', '--help') or rest[0] not in members:
            folder, prefix, help_text = GROUPS[command]
            print(f'usage: mmallinone {command} NAME [args]   ({help_text})\n'
                  f'NAME: {", ".join(members)}', file=sys.stderr)
            return 0 if rest and rest[0] in ('-h', '--help') else 2
        folder, prefix, _ = GROUPS[command]
        return run_tool(f'{folder}/{prefix}{rest[0]}.py', rest[1:])
    if command == 'tool':
        if not rest or rest[0] in ('-h', '--help'):
            print('usage: mmallinone tool PATH [args]  (PATH under '
                  f'{tools_root()})', file=sys.stderr)
            return 0 if rest else 2
        return run_tool(rest[0], rest[1:])
    args = parser.parse_args(argv)  # errors out on unknown commands
    if args.command == 'configs':
        print('\n'.join(config_names(args.pattern)))
    elif args.command == 'root':
        print(mim_root())
    return 0


if __name__ == '__main__':
    sys.exit(main())
