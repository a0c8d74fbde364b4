"""The ``mmallinone`` command (mmallinone/cli.py), in this process."""
import os.path as osp

import pytest

import mmallinone
from mmallinone import cli

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def test_shipped_folders_are_found():
    root = cli.mim_root()
    assert root == osp.join(osp.dirname(mmallinone.__file__), '.mim')
    for item in ('configs', 'tools', 'model-index.yml', 'data/demo'):
        assert osp.exists(osp.join(root, item)), item
    for tool, _ in cli.COMMANDS.values():
        if tool != 'deployment/export_onnx.py':  # comes with the ONNX export
            assert osp.isfile(osp.join(cli.tools_root(), tool)), tool


def test_configs_lists_names(capsys):
    assert cli.main(['configs', 'allinone/*_demo.py']) == 0
    names = capsys.readouterr().out.split()
    assert 'mmallinone::allinone/pretrain_ti_demo.py' in names
    assert all(n.startswith('mmallinone::allinone/') for n in names)


def test_config_names_in_arguments_become_files():
    args = cli.resolve_names(
        ['mmallinone::allinone/pretrain_ti_demo.py', '--cfg-options', 'a=1'])
    assert osp.samefile(
        args[0], osp.join(REPO, 'configs', 'allinone', 'pretrain_ti_demo.py'))
    assert args[1:] == ['--cfg-options', 'a=1']


def test_group_without_a_name_lists_its_tools(capsys):
    assert cli.main(['convert']) == 2
    err = capsys.readouterr().err
    assert 'allinone_to_mmallinone' in err and 'vit_to_mmallinone' in err
    assert cli.main(['benchmark', '--help']) == 0
    assert 'model' in capsys.readouterr().err


def test_tool_runs_with_its_own_parser(capsys):
    # the converter's argparse answers -h and exits 0 (SystemExit caught)
    assert cli.main(['convert', 'vit_to_mmallinone', '-h']) == 0
    assert 'usage' in capsys.readouterr().out
    # a wrong argument is the tool's own error (exit status 2)
    assert cli.main(['convert', 'vit_to_mmallinone', '--no-such-flag']) == 2


def test_unknown_command_and_tool_fail_clearly(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(['no_such_command'])
    assert e.value.code == 2
    with pytest.raises(SystemExit, match='not among the shipped tools'):
        cli.main(['tool', 'misc/no_such_tool.py'])
