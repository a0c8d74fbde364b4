"""Each config folder's metafile.yml (OpenMMLab format) lists exactly the
configs of its folder, each entry with the required fields."""
import glob
import os.path as osp

import pytest
import yaml

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
METAFILES = sorted(glob.glob(osp.join(REPO, 'configs', '*', 'metafile.yml')))


def test_allinone_has_a_metafile():
    assert osp.join(REPO, 'configs', 'allinone', 'metafile.yml') in METAFILES


@pytest.mark.parametrize('path', METAFILES,
                         ids=[osp.relpath(p, REPO) for p in METAFILES])
def test_metafile_lists_every_config(path):
    meta = yaml.safe_load(open(path))
    collections = {c['Name'] for c in meta['Collections']}
    for c in meta['Collections']:
        assert osp.isfile(osp.join(REPO, c['README'])), c['README']
        assert c['Paper']['URL'].startswith('http')
    names, configs = set(), []
    for model in meta['Models']:
        assert {'Name', 'Config', 'In Collection', 'Metadata',
                'Results'} <= set(model), model.get('Name')
        assert model['In Collection'] in collections
        assert model['Name'] not in names, f'duplicate {model["Name"]}'
        names.add(model['Name'])
        configs.append(model['Config'])
        assert model['Name'] == osp.splitext(osp.basename(model['Config']))[0]
        for result in model['Results'] or []:
            assert {'Dataset', 'Task', 'Metrics'} <= set(result)
    folder = osp.relpath(osp.dirname(path), REPO)
    expected = sorted(osp.relpath(p, REPO)
                      for p in glob.glob(osp.join(REPO, folder, '*.py')))
    assert sorted(configs) == expected
