"""Lay out a downloaded benchmark where the configs expect it, and check it.

The expected layout is read from the dataset configs themselves
(``configs/_base_/datasets/*.py``: ``data_root``, ``ann_file``, the other
``*_file`` / ``*_dir`` / ``answer_vocab`` fields and ``data_prefix``), so
it cannot drift from what training reads. Three steps:

1. **layout** (with ``--src``): every annotation file the configs name is
   searched under ``--src`` by its file name (or a known alias, e.g. MSR-VTT's
   official ``train_val_videodatainfo.json`` for ``MSRVTT_data.json``) and
   linked (``--copy``: copied) to its place under ``--root``; the media
   folder is the folder under ``--src`` holding the most files of the
   dataset's media type, linked as the configs' ``data_prefix``. Existing
   files are kept.
2. **check**: each split of each config whose annotation files exist is
   built with mmallinone's own loader (so annotation errors are reported
   with file, line and field) and every media path it names is checked to
   exist; a summary lists the missing ones.
3. **decode** (``--decode N``): N random media files per config are opened
   with :class:`~mmallinone.datasets.transforms.SafeVideoInit` (header
   check and decoding), so truncated or unreadable files are found before
   training.

Exit status 0 when every required split is complete, 1 otherwise.

Example (MSR-VTT, see docs/data_preparation.md)::

    python tools/data/prepare_dataset.py msrvtt --src ~/Downloads/MSRVTT \\
        --decode 50
"""
import argparse
import os
import os.path as osp
import random
import shutil
import sys
from collections import Counter
from typing import Dict, List, Optional, Sequence, Tuple

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
VIDEO_EXTS = ('.mp4', '.avi', '.mkv', '.webm', '.mov', '.m4v', '.flv')

#: Per dataset: configs (``required`` ones must be complete), media types,
#: aliases of annotation file names, and where to download from.
SPECS: Dict[str, dict] = dict(
    msrvtt=dict(
        required=['retrieval_msrvtt.py'],
        optional=['retrieval_msrvtt7k.py', 'qa_msrvtt.py', 'mc_msrvtt.py'],
        exts=VIDEO_EXTS,
        aliases={'MSRVTT_data.json': ['train_val_videodatainfo.json']},
        vocab=[('msrvtt_qa', 'annotations/msrvtt_qa/train_qa.json',
                'annotations/msrvtt_qa/answer_vocab.json')],
        source='https://www.robots.ox.ac.uk/~maxbain/frozen-in-time/data/'
        'MSRVTT.zip (videos/all/*.mp4 and annotation/*, the files the '
        'authors used); QA: https://github.com/xudejing/video-question-'
        'answering; MC: https://github.com/yj-yu/lsmdc'),
    didemo=dict(
        required=['retrieval_didemo.py'], optional=[], exts=VIDEO_EXTS,
        source='https://github.com/LisaAnne/LocalizingMoments (annotations '
        'and the video download script)'),
    activitynet=dict(
        required=['retrieval_activitynet.py'], optional=[], exts=VIDEO_EXTS,
        source='https://cs.stanford.edu/people/ranjaykrishna/densevid/ '
        '(captions) and http://activity-net.org/download.html (videos)'),
    lsmdc=dict(
        required=['retrieval_lsmdc.py'], optional=['mc_lsmdc.py'],
        exts=VIDEO_EXTS, nested=True,
        source='https://sites.google.com/site/describingmovies/download '
        '(registration required)'),
    msvd=dict(
        required=['qa_msvd.py'], optional=[], exts=VIDEO_EXTS,
        vocab=[('msvd_qa', 'annotations/msvd_qa/train_qa.json',
                'annotations/msvd_qa/answer_vocab.json')],
        source='https://www.cs.utexas.edu/users/ml/clamp/videoDescription/'
        ' (YouTubeClips.tar) and https://github.com/xudejing/'
        'video-question-answering (QA)'),
    tgif=dict(
        required=['qa_tgif_frame.py'], optional=['mc_tgif_action.py'],
        exts=('.gif', ) + VIDEO_EXTS,
        vocab=[('tgif_frameqa', 'annotations/Train_frameqa_question.csv',
                'annotations/answer_vocab.json')],
        # TGIF-QA ships Train/Test only: the last 10 % of Train (official
        # order) becomes Val, and is removed from Train.
        holdout=['frameqa', 'action', 'transition'],
        source='https://github.com/YunseokJANG/tgif-qa (questions) and '
        'https://github.com/raingo/TGIF-Release (GIFs)'),
    tvqa=dict(
        required=['mc_tvqa.py'], optional=[], exts=('.jpg', ), nested=True,
        source='https://tvqa.cs.unc.edu/download_tvqa.html (frames_hq, '
        'registration required)'),
    ego4d=dict(
        required=['mc_ego4d.py'], optional=[], exts=VIDEO_EXTS,
        source='https://ego4d-data.org/docs/start-here/ (licence required)'),
    webvid=dict(
        required=['webvid_howto_pretrain.py'], optional=[], exts=VIDEO_EXTS,
        nested=True, loader='WebVidDataset',
        source='https://github.com/m-bain/webvid (CSV + download script)'),
    howto100m=dict(
        required=['webvid_howto_pretrain.py'], optional=[],
        exts=VIDEO_EXTS, nested=True, loader='HowTo100MDataset',
        source='https://www.di.ens.fr/willow/research/howto100m/'),
)

_PATH_KEYS = ('ann_file', 'answer_vocab')


def _log(msg: str) -> None:
    print(msg, flush=True)


def dataset_cfgs(config: str, loader: Optional[str] = None
                 ) -> List[Tuple[str, dict]]:
    """``(split, dataset cfg)`` of each dataloader of a dataset config."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, 'configs', '_base_', 'datasets',
                                   config))
    out = []
    for split in ('train', 'val', 'test'):
        loader_cfg = cfg.get(f'{split}_dataloader')
        if not loader_cfg:
            continue
        ds = loader_cfg['dataset']
        for sub in ds.get('datasets', [ds]):
            if loader is None or sub.get('type') == loader:
                out.append((split, sub.to_dict() if hasattr(sub, 'to_dict')
                            else dict(sub)))
    return out


def expected_paths(ds: dict) -> Tuple[List[str], List[str], List[str]]:
    """(annotation files, annotation folders such as HowTo100M's
    ``caption_dir``, media folders) of a dataset cfg, relative to its
    ``data_root``."""
    files = [v for k, v in ds.items()
             if isinstance(v, str) and v and (k in _PATH_KEYS or (
                 k.endswith('_file') and k != 'ann_file'))]
    dirs = [v for k, v in ds.items()
            if isinstance(v, str) and v and k.endswith('_dir')]
    media = [v for v in (ds.get('data_prefix') or {}).values() if v]
    return files, dirs, media


def _index(src: str, exts: Sequence[str], nested: bool):
    """File name -> paths under ``src``; folder -> number of media files
    (in it, or with ``nested`` in its sub-folders too)."""
    names: Dict[str, List[str]] = {}
    media: Counter = Counter()
    for dirpath, _, filenames in os.walk(src, followlinks=True):
        names.setdefault(osp.basename(dirpath) + '/', []).append(dirpath)
        n = 0
        for name in filenames:
            names.setdefault(name, []).append(osp.join(dirpath, name))
            n += name.lower().endswith(tuple(exts))
        if n:
            media[dirpath] += n
            folder = dirpath
            while nested and folder != src and folder.startswith(src):
                folder = osp.dirname(folder)
                media[folder] += n
    return names, media


def _place(source: str, target: str, copy: bool) -> None:
    os.makedirs(osp.dirname(target) or '.', exist_ok=True)
    if copy:
        (shutil.copytree if osp.isdir(source) else shutil.copy2)(source,
                                                                 target)
    else:
        os.symlink(osp.abspath(source), target)


def layout(name: str, src: str, root: str, copy: bool = False) -> List[str]:
    """Link (or copy) the files of ``src`` into the expected layout.

    Returns:
        list[str]: Expected annotation files found nowhere (relative paths).
    """
    spec = SPECS[name]
    aliases = spec.get('aliases', {})
    src = osp.abspath(src)
    names, media = _index(src, spec['exts'], spec.get('nested', False))
    for kind in spec.get('holdout', []):
        _hold_out(names, root, f'Train_{kind}_question.csv',
                  f'Val_{kind}_question.csv')
    not_found = []
    for config in spec['required'] + spec['optional']:
        for _, ds in dataset_cfgs(config, spec.get('loader')):
            files, dirs, media_dirs = expected_paths(ds)
            for rel in files + [d.rstrip('/') + '/' for d in dirs]:
                target = osp.join(root, rel.rstrip('/'))
                if osp.exists(target):
                    continue
                base = osp.basename(rel.rstrip('/')) + (
                    '/' if rel.endswith('/') else '')
                found = None
                for cand in [base] + aliases.get(base, []):
                    if names.get(cand):
                        found = sorted(names[cand])[0]
                        break
                if found is None:
                    if rel not in not_found:
                        not_found.append(rel)
                    continue
                _place(found, target, copy)
                _log(f'{"copied" if copy else "linked"} {found} -> {target}')
            for rel in media_dirs:
                target = osp.join(root, rel)
                if osp.exists(target) or not media:
                    continue
                # most media files; on a tie the deepest folder
                folder = max(media, key=lambda d: (media[d], d.count(os.sep)))
                count = media[folder]
                _place(folder, target, copy)
                _log(f'{"copied" if copy else "linked"} {folder} ({count} '
                     f'media files) -> {target}')
    for dataset, train, vocab in spec.get('vocab', []):
        if osp.exists(osp.join(root, vocab)) or \
                not osp.exists(osp.join(root, train)):
            continue
        sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
        import build_answer_vocab
        build_answer_vocab.main(
            [dataset, osp.join(root, train), osp.join(root, vocab)])
        _log(f'built {osp.join(root, vocab)} from the training answers')
        if vocab in not_found:
            not_found.remove(vocab)
    return not_found


def _hold_out(names: Dict[str, List[str]], root: str, train: str, val: str,
              fraction: float = 0.1) -> None:
    """Split an official training TSV into Train (first 90 %) and Val
    (last 10 %) files under ``root/annotations``, header kept in both."""
    train_out = osp.join(root, 'annotations', train)
    val_out = osp.join(root, 'annotations', val)
    if not names.get(train) or osp.exists(train_out) or osp.exists(val_out):
        return
    with open(sorted(names[train])[0], encoding='utf-8') as f:
        lines = f.read().splitlines(keepends=True)
    header, rows = lines[0], [r for r in lines[1:] if r.strip()]
    if len(rows) < 2:
        _log(f'{train} has {len(rows)} rows: too few to hold out a '
             'validation split')
        return
    n_val = max(1, int(len(rows) * fraction))
    os.makedirs(osp.dirname(train_out), exist_ok=True)
    with open(train_out, 'w', encoding='utf-8') as f:
        f.writelines([header] + rows[:-n_val])
    with open(val_out, 'w', encoding='utf-8') as f:
        f.writelines([header] + rows[-n_val:])
    _log(f'held out the last {n_val} of {len(rows)} rows of {train} as '
         f'{val_out}')


def _progress(items: Sequence, min_len: int = 500):
    """``items`` with MMEngine's progress bar when there are many."""
    if len(items) < min_len:
        return items
    import mmengine
    return mmengine.track_iter_progress(list(items))


def check(name: str, root: str, decode: int = 0, seed: int = 0) -> bool:
    """Build every split with its loader; check media paths (and decode).

    Returns:
        bool: Every split of the required configs is complete.
    """
    from mmengine.registry import init_default_scope

    import mmallinone  # noqa: F401
    from mmallinone.datasets.transforms import SafeVideoInit
    from mmallinone.registry import DATASETS
    init_default_scope('mmallinone')
    spec = SPECS[name]
    ok = True
    for config in spec['required'] + spec['optional']:
        required = config in spec['required']
        for split, ds in dataset_cfgs(config, spec.get('loader')):
            files, dirs, _ = expected_paths(ds)
            missing = [f for f in files + dirs
                       if not osp.exists(osp.join(root, f))]
            tag = f'{config} [{split}]'
            if missing:
                _log(f'{tag}: {"MISSING" if required else "skipped, no"} '
                     f'{", ".join(missing)} under {root}')
                ok = ok and not required
                continue
            ds.update(data_root=root, pipeline=[])
            try:
                dataset = DATASETS.build(ds)
            except Exception as err:  # noqa: BLE001 - reported
                _log(f'{tag}: ERROR {type(err).__name__}: {err}')
                ok = ok and not required
                continue
            paths = sorted({dataset.get_data_info(i)['filename']
                            for i in range(len(dataset))})
            absent = [p for p in _progress(paths) if not osp.exists(p)]
            _log(f'{tag}: {len(dataset)} samples, {len(paths)} media files, '
                 f'{len(absent)} missing'
                 + (f' (e.g. {", ".join(absent[:3])})' if absent else ''))
            if absent and required:
                ok = False
            present = [p for p in paths if osp.isfile(p)
                       and not p.lower().endswith(('.gif', '.jpg'))]
            if decode and present:
                sample = random.Random(seed).sample(
                    present, min(decode, len(present)))
                opener = SafeVideoInit()  # decord, else torchcodec/PyAV
                broken = []
                for path in _progress(sample, 20):
                    try:
                        opener.transform(dict(filename=path))
                    except Exception as err:  # noqa: BLE001 - reported
                        broken.append(f'{path}: {err}')
                _log(f'{tag}: decoded {len(sample) - len(broken)}/'
                     f'{len(sample)} sampled videos')
                for line in broken:
                    _log(f'  BROKEN {line}')
                ok = ok and not broken
    return ok


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Lay out and check a downloaded dataset')
    parser.add_argument('dataset', choices=sorted(SPECS))
    parser.add_argument('--src', help='folder with the downloaded, unpacked '
                        'files (any structure); omit to only check')
    parser.add_argument('--root', help='data root the configs read '
                        '(default: data/<dataset> of the configs)')
    parser.add_argument('--copy', action='store_true',
                        help='copy instead of symlinking')
    parser.add_argument('--decode', type=int, default=0, metavar='N',
                        help='decode N random videos per split')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    spec = SPECS[args.dataset]
    root = args.root or dataset_cfgs(spec['required'][0], spec.get(
        'loader'))[0][1]['data_root']
    _log(f'{args.dataset}: data root {root}; source: {spec["source"]}')
    if args.src:
        if not osp.isdir(args.src):
            _log(f'--src {args.src} is not a folder')
            return 1
        not_found = layout(args.dataset, args.src, root, args.copy)
        if not_found:
            _log('not found under --src (needed only by the configs that '
                 f'read them): {", ".join(not_found)}')
    ok = check(args.dataset, root, args.decode)
    _log('OK: the required splits are complete' if ok else
         'INCOMPLETE: see MISSING / BROKEN above')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
