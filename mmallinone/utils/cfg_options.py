"""``--cfg-options key=value`` of the tools, with clear errors.

MMEngine's ``DictAction`` parses numbers, booleans, strings, lists and
tuples; a list of dicts (``custom_hooks=[dict(type='EmptyCacheHook')]``)
ends in a ``RecursionError``, and a value of the wrong type
(``train_cfg.max_iters=abc``) fails only when the runner uses it, without
naming the key. :class:`CfgOptionsAction` reads values with ``dict(...)`` or
``{...}`` as Python literals (nothing is evaluated) and turns any other
parse failure into a usage error naming the key; :func:`merge_cfg_options`
refuses a string where the config holds a number or a boolean.
"""
import argparse
import ast
from typing import Any, Dict, Optional, Sequence

from mmengine.config import Config, DictAction

__all__ = [
    'CfgOptionsAction', 'CfgOptionError', 'merge_cfg_options',
    'parse_option_value'
]


class CfgOptionError(ValueError):
    """A ``--cfg-options`` value does not fit the config."""


def _literal(node: ast.AST) -> Any:
    """The value of a literal expression; ``dict(k=v)`` is a dict.

    Raises:
        ValueError: For anything but constants, lists, tuples, dicts and
            ``dict(...)`` with keyword arguments.
    """
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(
            node.op, (ast.USub, ast.UAdd)) and isinstance(
                node.operand, ast.Constant):
        return ast.literal_eval(node)
    if isinstance(node, ast.List):
        return [_literal(e) for e in node.elts]
    if isinstance(node, ast.Tuple):
        return tuple(_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict) and None not in node.keys:
        return {_literal(k): _literal(v) for k, v in zip(node.keys,
                                                          node.values)}
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == 'dict' and not node.args
            and all(kw.arg is not None for kw in node.keywords)):
        return {kw.arg: _literal(kw.value) for kw in node.keywords}
    if isinstance(node, ast.Name):
        raise ValueError(f'{node.id} is not a literal: quote strings '
                         f"(type='{node.id}')")
    raise ValueError(f'{ast.unparse(node)} is not a literal')


def parse_option_value(value: str) -> Any:
    """Parse one ``--cfg-options`` value.

    Values with ``dict(``, and brackets or braces that hold a ``{``
    (``{...}``, ``[{...}]``), are Python literals (``dict(...)`` with keyword arguments allowed; strings must be
    quoted); all others are parsed by MMEngine's ``DictAction`` as before
    (``4``, ``1e-3``, ``True``, ``abc``, ``[a,b]``, ``(1,2)``), so a brace
    inside a string (``http://host/{00000..00009}.tar``) stays a string.

    Raises:
        ValueError: If the value cannot be parsed.
    """
    literal = value.lstrip()[:1] in ('[', '(', '{') and '{' in value
    if 'dict(' in value or literal:
        try:
            tree = ast.parse(value, mode='eval')
        except SyntaxError as error:
            raise ValueError(f'not a Python literal ({error.msg})') from None
        return _literal(tree.body)
    try:
        return DictAction._parse_iterable(value)
    except RecursionError:
        raise ValueError('unbalanced brackets or quotes') from None


class CfgOptionsAction(DictAction):
    """``DictAction`` that reads lists of dicts and names the key on errors.

    Example::

        --cfg-options train_cfg.max_iters=8 \\
            "custom_hooks=[dict(type='EmptyCacheHook',after_iter=True)]"
    """

    def __call__(self,
                 parser: argparse.ArgumentParser,
                 namespace: argparse.Namespace,
                 values: Sequence[str],
                 option_string: Optional[str] = None) -> None:
        options = dict(getattr(namespace, self.dest, None) or {})
        for item in values:
            key, sep, value = item.partition('=')
            if not sep or not key:
                parser.error(f'{option_string}: expected key=value, got '
                             f'{item!r}')
            try:
                options[key] = parse_option_value(value)
            except ValueError as error:
                parser.error(
                    f'{option_string} {key}: cannot parse {value!r}: '
                    f'{error}. Values are numbers, True/False, strings, '
                    'lists [a,b], tuples (1,2), or Python literals with '
                    "dict(...): \"custom_hooks=[dict(type='EmptyCacheHook')]\"")
        setattr(namespace, self.dest, options)


_MISSING = object()


def _lookup(cfg: Config, key: str) -> Any:
    """The config's value at a dotted ``key`` (list items by index)."""
    node: Any = cfg.to_dict()
    for part in key.split('.'):
        if isinstance(node, (list, tuple)) and part.isdigit():
            index = int(part)
            if index >= len(node):
                return _MISSING
            node = node[index]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return _MISSING
    return node


def merge_cfg_options(cfg: Config, options: Optional[Dict[str, Any]]
                      ) -> Config:
    """Merge ``--cfg-options`` into ``cfg`` after a type check.

    Args:
        cfg (Config): The config; modified in place.
        options (dict, optional): ``{dotted key: parsed value}``.

    Returns:
        Config: ``cfg``.

    Raises:
        CfgOptionError: If a string replaces a number or a boolean, naming the
            key, the given value and the config's value.
    """
    if not options:
        return cfg
    for key, value in options.items():
        old = _lookup(cfg, key)
        if old is _MISSING or old is None or not isinstance(value, str):
            continue
        if isinstance(old, bool):
            expected = 'a boolean (True / False)'
        elif isinstance(old, (int, float)):
            expected = f'a number ({type(old).__name__})'
        else:
            continue
        raise CfgOptionError(
            f'--cfg-options {key}={value!r}: expected {expected}, like the '
            f"config's value {old!r}.")
    cfg.merge_from_dict(options)
    return cfg
