"""Annotation reading of the video-text datasets: text files (UTF-8 checked
line by line), CSV / TSV, JSON and JSON Lines, and field checks.

Every error names the file and the line (and the field when there is one);
a bad row goes through the skip policy (:meth:`SkipPolicyMixin.invalid`):
an :class:`AnnotationError`, or with ``skip_invalid_rows=True`` a logged,
counted skip.
"""
import csv
import io
import json
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, \
    Tuple, Union

import numpy as np
from mmengine import fileio

from .skip_policy import AnnotationError

#: File extensions read as JSON Lines (one JSON value per line).
JSON_LINES_EXTS = ('.jsonl', '.ndjson')

#: ``where`` of a row: a 1-based line (JSON Lines, CSV) or ``'row i'``.
Where = Union[int, str]


def parse_json(text: str, path: str, owner: str) -> Any:
    """Parse a JSON document; a syntax error names the file and line.

    Args:
        text (str): The document.
        path (str): Its file (for the message).
        owner (str): Who reads it (the dataset class name), for the message.

    Returns:
        Any: The parsed value.

    Raises:
        AnnotationError: The text is not valid JSON.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise AnnotationError(
            f'{owner}: invalid annotation ({path}, line {e.lineno}): '
            f'malformed JSON: {e.msg}') from e


class AnnotationReaderMixin:
    """Readers and field checks for annotation files.

    The host class provides ``backend_args`` (mmengine file backend
    arguments) and :meth:`invalid` (:class:`SkipPolicyMixin`).
    """

    # ------------------------------------------------------------ text
    def read_text(self, path: str) -> str:
        """Read a UTF-8 text file with the dataset's file backend.

        A line that is not valid UTF-8 is reported with :meth:`invalid`
        (file, line, offending byte): an :class:`AnnotationError`, or with
        ``skip_invalid_rows=True`` a logged, counted skip of that line (it is
        read as an empty line, so later line numbers stay right). In a
        ``.json`` document a line cannot be skipped: it always raises.
        """
        try:
            data = fileio.get(path, backend_args=self.backend_args)
        except FileNotFoundError:
            raise FileNotFoundError(
                f'{type(self).__name__}: annotation file not found: {path}')
        return self.decode_text(data, path)

    def decode_text(self, data: bytes, path: str) -> str:
        """Decode an annotation file's bytes (see :meth:`read_text`).

        Args:
            data (bytes): The file content.
            path (str): The file (for messages).

        Returns:
            str: The text (a leading UTF-8 byte order mark removed).
        """
        try:
            return data.decode('utf-8-sig')
        except UnicodeDecodeError:
            pass
        lines = data.split(b'\n')
        out = []
        for number, raw in enumerate(lines, start=1):
            text = self._decode_line(raw, path, number,
                                     document=path.endswith('.json'))
            out.append('' if text is None else text)
        return '\n'.join(out)

    def _decode_line(self, raw: bytes, path: str, number: int,
                     document: bool = False) -> Optional[str]:
        """Decode one line; report it and return None if not UTF-8."""
        try:
            return raw.decode('utf-8-sig' if number == 1 else 'utf-8')
        except UnicodeDecodeError as err:
            msg = (f'not valid UTF-8 (byte 0x{raw[err.start]:02x} at byte '
                   f'{err.start + 1} of the line); save the file as UTF-8')
            if document:
                raise AnnotationError(
                    f'{type(self).__name__}: invalid annotation ({path}, '
                    f'line {number}): {msg} (a line of a JSON document '
                    'cannot be skipped)') from None
            self.invalid(path, number, None, msg)
            return None

    def iter_text_lines(self, path: str) -> Iterator[str]:
        """Yield the lines of a local text file (with their ``\\n``),
        streaming; a non-UTF-8 line is reported as in :meth:`read_text` and
        yielded as an empty line."""
        with open(path, 'rb') as f:
            for number, raw in enumerate(f, start=1):
                text = self._decode_line(raw, path, number)
                yield '\n' if text is None else text

    # ------------------------------------------------------------ JSON
    def read_json(self, path: str) -> Any:
        """Parse a JSON document, naming the file and line on errors.

        Raises:
            AnnotationError: Malformed JSON (never skippable).
        """
        return parse_json(self.read_text(path), path, type(self).__name__)

    def read_json_rows(self, path: str) -> List[Tuple[Where, Any]]:
        """``(where, row)`` pairs of a JSON Lines file or a JSON list.

        ``.jsonl`` / ``.ndjson`` files (unless their text starts with ``[``)
        are JSON Lines: ``where`` is the 1-based line, blank lines are
        ignored and a malformed line is reported with :meth:`invalid`
        (skippable). Anything else is one JSON document: a list of rows, or
        an object holding it under ``annotations`` (or ``data``); ``where``
        is ``'row i'``.

        Args:
            path (str): The annotation file.

        Returns:
            list[tuple[int | str, Any]]: The rows (not validated).

        Raises:
            AnnotationError: A malformed JSON document, or one that holds no
                list of rows.
        """
        text = self.read_text(path)
        if path.endswith(JSON_LINES_EXTS) and \
                not text.lstrip().startswith('['):
            rows: List[Tuple[Where, Any]] = []
            for line, raw in enumerate(text.splitlines(), start=1):
                if not raw.strip():
                    continue
                try:
                    rows.append((line, json.loads(raw)))
                except json.JSONDecodeError as e:
                    self.invalid(path, line, None, f'malformed JSON: {e.msg}')
            return rows
        data = parse_json(text, path, type(self).__name__)
        if isinstance(data, dict):
            data = data.get('annotations', data.get('data'))
        if not isinstance(data, list):
            raise AnnotationError(
                f'{type(self).__name__}: invalid annotation ({path}): '
                'expected a JSON list of rows or {"annotations": [...]}, got '
                f'{type(data).__name__}')
        return [(f'row {i}', row) for i, row in enumerate(data)]

    # ------------------------------------------------------------ CSV
    def iter_csv(self,
                 path: str,
                 required: Sequence[str] = (),
                 delimiter: Optional[str] = None,
                 header: bool = True,
                 min_columns: int = 0,
                 text: Optional[Union[str, Iterable[str]]] = None
                 ) -> Iterator[Tuple[int, Union[Dict[str, str], List[str]]]]:
        """Yield ``(line_number, row)`` of a CSV/TSV file.

        With ``header=True`` rows are dicts keyed by the header, a missing
        ``required`` column raises ``ValueError`` (always, the whole file is
        unusable), and rows with a wrong number of fields are reported with
        :meth:`invalid`. With ``header=False`` rows are lists and must have
        at least ``min_columns`` fields.

        Args:
            path (str): The file (for reading and error messages).
            required (Sequence[str]): Columns that must exist.
            delimiter (str, optional): Field delimiter; ``None`` sniffs tab
                vs comma from the first line. Defaults to None.
            header (bool): The first line is a header. Defaults to True.
            min_columns (int): Minimum fields for headerless rows.
            text (str | Iterable[str], optional): The file content if
                already read, or an open text file (read line by line, e.g.
                by an annotation index build; ``delimiter`` must be given).

        Yields:
            tuple[int, dict | list]: 1-based line number and the row.
        """
        if text is None:
            text = self.read_text(path)
        if delimiter is None:
            first = text.split('\n', 1)[0]
            delimiter = '\t' if '\t' in first else ','
        lines = io.StringIO(text, newline='') if isinstance(text, str) \
            else text
        reader = csv.reader(lines, delimiter=delimiter)
        columns: Optional[List[str]] = None
        try:
            for row in reader:
                line = reader.line_num
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # blank line
                if header and columns is None:
                    columns = [c.strip() for c in row]
                    missing = [c for c in required if c not in columns]
                    if missing:
                        raise AnnotationError(
                            f'{type(self).__name__}: invalid annotation '
                            f'({path}, line {line}, field "{missing[0]}"): '
                            f'missing column(s) {missing}; header is '
                            f'{columns}')
                    continue
                if header:
                    if len(row) != len(columns):
                        self.invalid(
                            path, line, None,
                            f'expected {len(columns)} fields '
                            f'({delimiter!r}-separated), got {len(row)}')
                        continue
                    yield line, dict(zip(columns, row))
                else:
                    if len(row) < min_columns:
                        self.invalid(
                            path, line, None,
                            f'expected at least {min_columns} fields, '
                            f'got {len(row)}')
                        continue
                    yield line, row
        except csv.Error as e:
            self.invalid(path, reader.line_num, None, f'CSV error: {e}')
        if header and columns is None:
            raise AnnotationError(
                f'{type(self).__name__}: invalid annotation ({path}): '
                'empty file (no header)')

    # ------------------------------------------------------------ fields
    def read_clip_numbers(self, path: str) -> Dict[str, int]:
        """``{clip: N}`` from a ``<clip> vid<N>`` per line file (MSVD's
        ``youtube_mapping.txt``); a malformed line is reported and
        skipped."""
        out = {}
        for line, raw in enumerate(self.read_text(path).splitlines(), 1):
            if not raw.strip():
                continue
            parts = raw.split()
            if len(parts) != 2 or not parts[1].startswith('vid') or \
                    not parts[1][3:].isdigit():
                self.invalid(path, line, None, 'expected "<clip> vid<N>", '
                             f'got {raw!r:.80}')
                continue
            out[parts[0]] = int(parts[1][3:])
        return out

    def check_text(self, value: Any, path: str, line: Optional[Where],
                   field: str) -> Optional[str]:
        """Return ``value`` if it is a non-empty string, else report it."""
        if not isinstance(value, str):
            self.invalid(path, line, field,
                         f'expected a string, got {type(value).__name__}')
            return None
        if not value.strip():
            self.invalid(path, line, field, 'empty caption')
            return None
        return value

    def check_captions(self, value: Any, path: str, line: Optional[Where],
                       field: str) -> Optional[List[str]]:
        """Accept a caption string or a non-empty list of caption strings."""
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)) or not value:
            self.invalid(path, line, field,
                         'expected a string or a non-empty list of strings, '
                         f'got {value!r:.80}')
            return None
        return self.check_texts(value, path, line, field)

    def check_texts(self, values: Sequence, path: str,
                    line: Optional[Where],
                    field: str) -> Optional[List[str]]:
        """:meth:`check_text` of every item (``field[i]`` in errors); None
        at the first invalid one."""
        out = []
        for i, value in enumerate(values):
            value = self.check_text(value, path, line, f'{field}[{i}]')
            if value is None:
                return None
            out.append(value)
        return out

    def parse_float(self, value: Any, path: str, line: Optional[Where],
                    field: str) -> Optional[float]:
        """Parse a finite float or report it."""
        try:
            out = float(value)
        except (TypeError, ValueError):
            self.invalid(path, line, field, f'expected a number, got '
                         f'{value!r:.40}')
            return None
        if not np.isfinite(out):
            self.invalid(path, line, field, f'not finite: {value!r}')
            return None
        return out
