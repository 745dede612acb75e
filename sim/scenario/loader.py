"""Reading scenario files: strict YAML with line numbers, ``extends``, ``--set``, validation.

Every problem is reported as ``FILE:LINE: key.path: what is wrong (what would be valid)``
(:class:`ScenarioError`), never as a traceback. YAML is read without building
Python objects: any explicit tag is refused. Files must be UTF-8; a full-width colon
used as a key separator, duplicate keys and unknown keys are errors.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (AliasEvent, CollectionEndEvent, CollectionStartEvent,
                                ScalarEvent)

from sim.core.calendar import is_quarter
from sim.core.metrics import FLOW_METRICS, METRIC_NAMES
from sim.scenario import schema


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario, where it is and what would be valid."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ScenarioError(Exception):
    """Bad scenario input; ``str()`` gives one line per problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Node:
    """A value read from YAML with the file and line it came from."""

    value: Any  # dict[str, Node] | list[Node] | scalar
    file: str
    line: int


@dataclass
class Loaded:
    """A resolved, validated scenario."""

    model: schema.Scenario
    resolved: dict
    sha256: str
    path: str
    origins: dict = field(default_factory=dict, repr=False)
    # the overrides applied on top of the file, in order: {key, value, source: "--set"}
    # (the command line's --set and the Python API's overrides are the same thing)
    overrides: list = field(default_factory=list)


# ------------------------------------------------------------------------- reading

_yaml = YAML(typ="rt")
_yaml.allow_duplicate_keys = False
# Bounds on what a scenario file may cost to read (assumptions, with headroom: the
# baseline is 22 KB, 1,275 parser events and 6 levels deep). Checked on the parser's
# events, before any value is built, so a small file cannot make the loader use much time
# or memory (measured: a 1 MiB flow list of 500,000 numbers took 4 min 42 s and 726 MB
# to read before these bounds).
MAX_FILE_BYTES = 256 * 1024  # 256 KiB
MAX_EVENTS = 10_000  # values, keys, mappings and lists
MAX_DEPTH = 32  # mappings and lists inside each other
_FULLWIDTH_SEP = re.compile(r"^\s*(-\s+)?\{?\s*[A-Za-z_][A-Za-z0-9_.\-]*\s*：")


def display_path(path: Path) -> str:
    """``path`` as problems name it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _decode(raw: bytes, name: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        hint = ""
        try:
            raw.decode("gb18030")
            hint = " it looks like GBK/GB18030;"
        except UnicodeDecodeError:
            pass
        raise ScenarioError([Problem(name, line, "", f"the file is not UTF-8 (byte "
                                     f"0x{raw[e.start]:02x});{hint} save it as UTF-8")]) from None
    return text


def _path_at_line(text: str, line: int, key: str) -> str:
    """Dotted path of ``key`` on 1-based ``line``, from the block keys above it."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return key
    cur = lines[line - 1]
    indent = len(cur) - len(cur.lstrip(" -"))
    parts = [key]
    for prev in reversed(lines[: line - 1]):
        body = prev.split("#", 1)[0].rstrip()
        if not body.strip():
            continue
        ind = len(body) - len(body.lstrip(" -"))
        m = re.match(r"^\s*(?:-\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*:", body)
        if ind < indent and m:
            parts.append(m.group(1))
            indent = ind
            if ind == 0:
                break
    return ".".join(reversed(parts))


def _prescan(text: str, name: str) -> None:
    problems = []
    for i, line in enumerate(text.splitlines(), 1):
        body = line.split("#", 1)[0]
        if "：" in body and _FULLWIDTH_SEP.match(body):
            key = body.split("：", 1)[0].strip().lstrip("-{ ").strip()
            problems.append(Problem(name, i, _path_at_line(text, i, key), "full-width colon '：' after a key "
                                    "(valid: an ASCII colon ':' followed by a space)"))
        if "\t" in line[: len(line) - len(line.lstrip())]:
            problems.append(Problem(name, i, "", "a tab in the indentation (valid: spaces)"))
    if problems:
        raise ScenarioError(problems)


def check_events(text: str, name: str, line0: int = 0) -> None:
    """Refuse YAML anchors, aliases and merge keys, nesting deeper than :data:`MAX_DEPTH`
    and more than :data:`MAX_EVENTS` events, from the parser's events (linear in the text: nothing is expanded).

    Aliases are how a 2 KB file can stand for gigabytes (a "billion laughs"); scenarios
    share values with ``extends:`` instead. A syntax error is left to the loader proper,
    which reports it with its line.
    """

    def refuse(ev, what: str) -> None:
        line = ev.start_mark.line + 1 + line0 if line0 >= 0 else 0
        raise ScenarioError([Problem(name, line, "", what)])

    depth = 0
    try:
        for count, ev in enumerate(_yaml.parse(text)):
            if count > MAX_EVENTS:
                refuse(ev, f"more than {MAX_EVENTS:,} values, keys and lists (valid: a "
                           "scenario of at most that size; the baseline has about 1,300)")
            if isinstance(ev, AliasEvent):
                refuse(ev, f"YAML alias *{ev.anchor} is not allowed (valid: write the value "
                           "out, or share a scenario's values with extends:)")
            if getattr(ev, "anchor", None):
                refuse(ev, f"YAML anchor &{ev.anchor} is not allowed (valid: write the value "
                           "out, or share a scenario's values with extends:)")
            if isinstance(ev, ScalarEvent) and ev.value == "<<" and ev.style is None:
                refuse(ev, "YAML merge key '<<' is not allowed (valid: write the keys out, "
                           "or share a scenario's values with extends:)")
            if isinstance(ev, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    refuse(ev, f"nested more than {MAX_DEPTH} levels deep (valid: at most "
                               f"{MAX_DEPTH} mappings and lists inside each other)")
            elif isinstance(ev, CollectionEndEvent):
                depth -= 1
    except YAMLError:
        return  # reported by the loader with its line


def _to_node(obj: Any, name: str, line: int, path: tuple, problems: list) -> Node:
    tag = getattr(obj, "tag", None)
    tag_value = getattr(tag, "value", tag) if tag is not None else None
    if isinstance(obj, TaggedScalar) or (tag_value and not str(tag_value).startswith(
            ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:str"))):
        problems.append(Problem(name, line, _dotted(path), f"YAML tag {tag_value} is not "
                                "allowed (valid: plain values, mappings and lists)"))
        return Node(None, name, line)
    if isinstance(obj, CommentedMap):
        out = {}
        for k, v in obj.items():
            kline = obj.lc.key(k)[0] + 1
            if not isinstance(k, str):
                problems.append(Problem(name, kline, _dotted(path), f"key {k!r} is not a "
                                        "text (valid: quote it, e.g. '2025Q3')"))
                k = str(k)
            out[k] = _to_node(v, name, kline, path + (k,), problems)
        return Node(out, name, line)
    if isinstance(obj, CommentedSeq):
        return Node([_to_node(v, name, obj.lc.item(i)[0] + 1 if _has_lc(obj, i) else line,
                              path + (i,), problems) for i, v in enumerate(obj)], name, line)
    if hasattr(obj, "__float__") and type(obj).__name__ == "ScalarFloat":
        obj = float(obj)
    elif isinstance(obj, bool):
        obj = bool(obj)
    elif isinstance(obj, int):
        obj = int(obj)
    elif isinstance(obj, str):
        obj = str(obj)
    elif obj is not None and not isinstance(obj, float):
        problems.append(Problem(name, line, _dotted(path), f"{obj!r} is not a plain value "
                                "(valid: a number, text, true/false, a mapping or a list)"))
    return Node(obj, name, line)


def _has_lc(seq: CommentedSeq, i: int) -> bool:
    try:
        seq.lc.item(i)
        return True
    except (KeyError, IndexError, TypeError):
        return False


def read_bounded(path: Path, name: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; anything else (a folder, a
    pipe, a device, a larger file) is a :class:`ScenarioError`. Opened without blocking,
    so a FIFO given as a scenario is refused instead of waiting for a writer."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ScenarioError([Problem(name, 0, "", "no such file")]) from None
    except IsADirectoryError:
        raise ScenarioError([Problem(name, 0, "", "is a folder, not a scenario file")]) from None
    except OSError as e:
        raise ScenarioError([Problem(name, 0, "", f"cannot be read: {e.strerror}")]) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise ScenarioError([Problem(name, 0, "", "is a folder, not a scenario file")])
        if not stat.S_ISREG(st.st_mode):
            raise ScenarioError([Problem(name, 0, "", "is not a regular file (a pipe, device "
                                         "or socket; valid: a YAML file)")])
        if st.st_size > limit:
            raise ScenarioError([Problem(name, 0, "", f"is {st.st_size:,} bytes (valid: at "
                                         f"most {limit:,} bytes)")])
        with os.fdopen(fd, "rb") as f:
            fd = -1
            raw = f.read(limit + 1)
    except OSError as e:
        raise ScenarioError([Problem(name, 0, "", f"cannot be read: {e.strerror}")]) from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(raw) > limit:
        raise ScenarioError([Problem(name, 0, "", f"is larger than {limit:,} bytes")])
    return raw


def read_yaml(path: Path) -> Node:
    """Read one YAML file into a :class:`Node` tree (no ``extends`` resolution)."""
    name = display_path(path)
    raw = read_bounded(path, name)
    text = _decode(raw, name)
    _prescan(text, name)
    check_events(text, name)
    try:
        data = _yaml.load(text)
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 0
        problem = (e.problem or str(e)).strip()
        key = ""
        m = re.search(r'found duplicate key "([^"]+)"', str(e))
        if m:
            key = _path_at_line(text, line, m.group(1))
            problem = "duplicate key (valid: each key once in a mapping)"
        raise ScenarioError([Problem(name, line, key, f"YAML syntax: {problem}")]) from None
    except YAMLError as e:
        pos = getattr(e, "position", None)  # a reader error: a character not allowed
        if isinstance(pos, int) and getattr(e, "character", None) is not None:
            line = text[:pos].count("\n") + 1
            ch = e.character if isinstance(e.character, int) else ord(str(e.character)[:1] or " ")
            raise ScenarioError([Problem(name, line, "", f"character U+{ch:04X} is not "
                                         "allowed in YAML (valid: printable text)")]) from None
        raise ScenarioError([Problem(name, 0, "", f"YAML syntax: {e}")]) from None
    if data is None:
        raise ScenarioError([Problem(name, 1, "", "the file is empty (valid: a mapping of "
                                     "scenario sections)")])
    if not isinstance(data, CommentedMap):
        raise ScenarioError([Problem(name, 1, "", "the file is not a mapping of keys to "
                                     "values (valid: e.g. 'name: my_scenario')")])
    problems: list[Problem] = []
    node = _to_node(data, name, 1, (), problems)
    if problems:
        raise ScenarioError(problems)
    return node


# ------------------------------------------------------------------------- merging


def _merge(base: Node, over: Node, path: tuple = ()) -> Node:
    """``over`` on top of ``base``: mappings merge by key, zones by id, other lists replaced."""
    if (isinstance(base.value, dict) and isinstance(over.value, dict)
            and not _is_whole_value(over, path)):
        out = dict(base.value)
        for k, v in over.value.items():
            out[k] = _merge(out[k], v, path + (k,)) if k in out else v
        return Node(out, over.file, over.line)
    if path == ("inputs",) and isinstance(base.value, list) and isinstance(over.value, list):
        out = list(base.value)  # rows of the same key replaced whole, new rows added last
        index = {_key_of(n): i for i, n in enumerate(out) if _key_of(n) is not None}
        for n in over.value:
            k = _key_of(n)
            if k is not None and k in index:
                out[index[k]] = n
            else:
                out.append(n)
        return Node(out, over.file, over.line)
    if path == ("zones",) and isinstance(base.value, list) and isinstance(over.value, list):
        out = list(base.value)
        index = {_id_of(n): i for i, n in enumerate(out) if _id_of(n) is not None}
        for n in over.value:
            zid = _id_of(n)
            if zid is not None and zid in index:
                out[index[zid]] = _merge(out[index[zid]], n, path + (index[zid],))
            else:
                out.append(n)
        return Node(out, over.file, over.line)
    return over


def _is_whole_value(n: Node, path: tuple) -> bool:
    """Mappings that are one value (dated values, sector shares) are replaced, not merged."""

    if path and path[-1] in ("sector_shares", "sources"):
        return True
    return bool(n.value) and all(is_quarter(k) for k in n.value)


def _key_of(n: Node) -> Any:
    if isinstance(n.value, dict) and "key" in n.value:
        return n.value["key"].value
    return None


def _id_of(n: Node) -> Any:
    if isinstance(n.value, dict) and "id" in n.value:
        return n.value["id"].value
    return None


def _resolve(path: Path, chain: tuple = ()) -> Node:
    path = path.resolve()
    node = read_yaml(path)
    _refuse_central(node)
    ext = node.value.pop("extends", None)
    if ext is None:
        _declare_inputs(node)
        return node
    if not isinstance(ext.value, str) or not ext.value.strip():
        raise ScenarioError([Problem(ext.file, ext.line, "extends", "expected a file path "
                                     "relative to this file, e.g. yunnan_baseline.yaml")])
    parent = (path.parent / ext.value).resolve()
    if parent.is_dir():
        raise ScenarioError([Problem(ext.file, ext.line, "extends", f"{display_path(parent)} is a "
                                     "folder (valid: a scenario file relative to this file)")])
    if not parent.exists():
        raise ScenarioError([Problem(ext.file, ext.line, "extends", f"no such file: "
                                     f"{display_path(parent)} (valid: a path relative to this "
                                     "file)")])
    if parent in chain + (path,):
        names = " -> ".join(display_path(p) for p in chain + (path, parent))
        raise ScenarioError([Problem(ext.file, ext.line, "extends", f"extends itself in a "
                                     f"loop: {names} (valid: a chain that ends)")])
    base = _resolve(parent, chain + (path,))
    base.value.pop("name", None)  # the name is the variant's own
    merged = _merge(base, node)
    _declare_inputs(merged)
    return merged


# ------------------------------------------------------------------------- inputs

# Top-level sections an input may not name: behaviour has its own switch
# (--sample-behaviour); the run's settings, targets and the inputs themselves are not
# uncertainties of the world.
NOT_INPUTS = ("behaviour", "seed", "replicates", "population", "calendar", "inputs",
              "targets", "name", "description", "sources")


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _children(d: dict, loc: tuple) -> dict:
    """A mapping's keys with their values, the schema's defaults for keys not written."""
    out = dict(d)
    cls = _model_at(loc)
    if cls is not None:
        for f, info in cls.model_fields.items():
            if f not in out:
                dv = info.get_default(call_default_factory=True)
                out[f] = dv.model_dump(mode="json") if isinstance(dv, BaseModel) else dv
    return out


def _numeric_names(d: dict, loc: tuple) -> list[str]:
    return [k for k, v in _children(d, loc).items() if _is_number(v)]


def declared_value(tree: dict, key: str) -> Any:
    """The value at a dotted ``key`` of a plain scenario tree (lists by index or id, as
    ``--set`` takes them), the schema's default where the key is not written;
    :class:`LookupError` saying what is wrong and what is valid. The value must be a
    plain number (what an ``inputs:`` row can draw)."""
    parts = key.split(".")
    if parts[0] in NOT_INPUTS:
        why = ("behaviour parameters are drawn with --sample-behaviour"
               if parts[0] == "behaviour" else "it is a setting of the run, not an input")
        raise LookupError(f"{parts[0]} cannot be an input: {why} (valid: a number under "
                          "zones, sectors, incubators, capital, projects, policy or "
                          "constants)")
    cur: Any = tree
    loc: tuple = ()
    parent: Any = None
    for i, p in enumerate(parts):
        where = ".".join(parts[: i + 1])
        parent = cur
        if isinstance(cur, list):
            idx = entry_index(cur, p, _plain_id)
            if idx is None:
                raise LookupError(f"{where}: {_no_entry(cur, _plain_id)}")
            cur, loc = cur[idx], loc + (idx,)
        elif isinstance(cur, dict):
            kids = _children(cur, loc)
            if p not in kids:
                guess = difflib.get_close_matches(p, list(kids), n=1)
                hint = f"; did you mean {guess[0]!r}?" if guess else ""
                num = _numeric_names(cur, loc)
                raise LookupError(f"{where}: no such key (valid keys here: "
                                  f"{', '.join(kids)}{hint}"
                                  + (f"; numbers among them: {', '.join(num)}" if num else "")
                                  + ")")
            cur, loc = kids[p], loc + (p,)
        else:
            raise LookupError(f"{where}: {'.'.join(parts[:i])} is a plain value; it has "
                              "no keys below it")
    if not _is_number(cur):
        what = ("a dated value" if isinstance(cur, dict) and cur and all(is_quarter(k) for k in cur)
                else schema._describe(cur))
        num = (_numeric_names(parent, loc[:-1]) if isinstance(parent, dict) else [])
        raise LookupError(f"{key}: is {what}, not a number (valid: a key whose value is a "
                          "plain number here"
                          + (f"; numbers beside it: {', '.join(num)}" if num else "") + ")")
    return cur


def _declare_inputs(root: Node) -> None:
    """Fill ``central`` of the ``inputs:`` rows that have none (those this file
    declares; inherited rows keep their own) with the value at the row's key in this
    scenario, and check it: the key exists, its value is a plain number, not 0, and
    lies in ``[low, high]``. Problems name the row's file and line."""
    rows = root.value.get("inputs")
    if rows is None or not isinstance(rows.value, list):
        return  # a wrong type is the schema's to report
    todo = [r for r in rows.value if isinstance(r.value, dict) and "central" not in r.value
            and isinstance(r.value.get("key", Node(None, "", 0)).value, str)]
    if not todo:
        return
    tree = _plain(root, (), {})
    problems = []
    todo_ids = {id(r) for r in todo}
    for i, row in enumerate(rows.value):
        if id(row) not in todo_ids:
            continue
        keyn = row.value["key"]
        where = f"inputs.{i}"
        try:
            v = declared_value(tree, keyn.value.strip())
        except LookupError as e:
            problems.append(Problem(keyn.file, keyn.line, f"{where}.key", str(e)))
            continue
        lo, hi = (row.value.get(k, Node(None, "", 0)).value for k in ("low", "high"))
        if v == 0:
            problems.append(Problem(keyn.file, keyn.line, f"{where}.key", f"{keyn.value}: the "
                                    "scenario's value is 0, and a draw is applied as a ratio "
                                    "to it (valid: a key whose value is not 0)"))
            continue
        if _is_number(lo) and _is_number(hi) and lo <= hi and not lo <= v <= hi:
            problems.append(Problem(row.file, row.line, where, f"the scenario's value of "
                                    f"{keyn.value}, {v:g}, is outside [low, high] = "
                                    f"[{lo:g}, {hi:g}] (valid: a range that holds the "
                                    "scenario's own value)"))
            continue
        row.value["central"] = Node(float(v), keyn.file, keyn.line)
    if problems:
        raise ScenarioError(problems)


def _refuse_central(node: Node) -> None:
    rows = node.value.get("inputs")
    if rows is None or not isinstance(rows.value, list):
        return
    bad = [Problem(r.value["central"].file, r.value["central"].line, f"inputs.{i}.central",
                   "is set by the loader: the scenario's own value at the key (valid: leave "
                   "it out)")
           for i, r in enumerate(rows.value) if isinstance(r.value, dict)
           and "central" in r.value]
    if bad:
        raise ScenarioError(bad)


def check_inputs(resolved: dict, origins: dict) -> None:
    """Every ``inputs:`` row's key must hold a number (or a dated number) in the final
    scenario, after ``extends`` and ``--set``; :class:`ScenarioError` otherwise."""
    problems = []
    for i, row in enumerate(resolved.get("inputs") or []):
        try:
            v = value_at(resolved, locate(resolved, row["key"]))
        except LookupError as e:
            problems.append(Problem(*_where(("inputs", i, "key"), origins),
                                    f"inputs.{i}.key", str(e)))
            continue
        vals = list(v.values()) if isinstance(v, dict) and v and all(
            is_quarter(k) for k in v) else [v]
        if not all(_is_number(x) for x in vals):
            problems.append(Problem(*_where(("inputs", i, "key"), origins), f"inputs.{i}.key",
                                    f"{row['key']}: is {schema._describe(v)}, not a number "
                                    "(valid: a key whose value is a number or a dated number)"))
        elif row.get("central") is None:
            problems.append(Problem(*_where(("inputs", i), origins), f"inputs.{i}",
                                    "no central value (valid: a row read from a scenario "
                                    "file or dict, which the loader completes)"))
    if problems:
        raise ScenarioError(problems)


# ------------------------------------------------------------------------- --set


def parse_set(item: str) -> tuple[str, Any]:
    """Split ``key.path=value``; the value is read as YAML (safe)."""
    if "=" not in item:
        raise ScenarioError([Problem("--set", 0, item, "expected KEY=VALUE, e.g. "
                                     "policy.rd_subsidy.cap_wan=500")])
    key, text = item.split("=", 1)
    key = key.strip()
    if not key or any(not p for p in key.split(".")):
        raise ScenarioError([Problem("--set", 0, item, "expected KEY=VALUE with a dotted key, "
                                     "e.g. policy.rd_subsidy.cap_wan=500")])
    check_events(f"v: {text}\n", f"--set {item}", -1)
    try:
        data = YAML(typ="rt").load(f"v: {text}\n" if text.strip() else "v: \n")
    except YAMLError as e:
        raise ScenarioError([Problem("--set", 0, key, f"value {text!r} is not valid YAML: "
                                     f"{getattr(e, 'problem', e)}")]) from None
    problems: list[Problem] = []
    node = _to_node(data, f"--set {item}", 0, (), problems)
    if problems:
        raise ScenarioError([Problem(p.file, 0, key + p.path[1:], p.message)
                             for p in problems])
    return key, node.value["v"]


def entry_index(entries: list, part: str, id_of) -> int | None:
    """The list entry a key part names: an index (``0``, ``1``, ...) or an entry's
    ``id`` (zones, incubators, capital providers, sectors), as ``--set`` takes it; None
    if none. ``id_of`` reads an entry's id (of a YAML node or of a plain dict)."""
    if part.isdigit() and int(part) < len(entries):
        return int(part)
    idx = None
    for j, n in enumerate(entries):
        if id_of(n) == part:
            idx = j
    return idx


def _no_entry(entries: list, id_of) -> str:
    ids = [str(id_of(n)) for n in entries if id_of(n) is not None]
    return (f"no such list entry (valid: an index 0..{len(entries) - 1} or an id: "
            f"{', '.join(ids)})")


def _plain_id(d: Any) -> Any:
    return d.get("id") if isinstance(d, dict) else None


def locate(tree: dict, key: str) -> tuple:
    """The place of a dotted ``key`` (as ``--set`` takes it: lists by index or id) in a
    plain resolved scenario, as a tuple of keys and list indices; :class:`LookupError`
    saying what is wrong and what is valid if it is not there."""
    cur: Any = tree
    loc: list = []
    for i, p in enumerate(key.split(".")):
        where = ".".join(key.split(".")[: i + 1])
        if isinstance(cur, list):
            idx = entry_index(cur, p, _plain_id)
            if idx is None:
                raise LookupError(f"{where}: {_no_entry(cur, _plain_id)}")
            cur, p = cur[idx], idx
        elif isinstance(cur, dict):
            if p not in cur:
                raise LookupError(f"{where}: no such key (valid keys here: "
                                  f"{', '.join(map(str, cur))})")
            cur = cur[p]
        else:
            raise LookupError(f"{where}: is a plain value; it has no keys below it")
        loc.append(p)
    return tuple(loc)


def value_at(tree: dict, loc: tuple) -> Any:
    """The value at ``loc`` (from :func:`locate`) in a plain tree."""
    cur: Any = tree
    for p in loc:
        cur = cur[p]
    return cur


def set_at(tree: dict, loc: tuple, value: Any) -> None:
    """Set the value at ``loc`` (from :func:`locate`) in a plain tree, in place."""
    value_at(tree, loc[:-1])[loc[-1]] = value


def _apply_set(root: Node, key: str, value: Node) -> None:
    parts = key.split(".")
    cur = root
    for i, p in enumerate(parts):
        last = i == len(parts) - 1
        where = ".".join(parts[: i + 1])
        if isinstance(cur.value, list):
            idx = entry_index(cur.value, p, _id_of)
            if idx is None:
                raise ScenarioError([Problem(value.file, 0, where,
                                             _no_entry(cur.value, _id_of))])
            if last:
                cur.value[idx] = value
                return
            cur = cur.value[idx]
        elif isinstance(cur.value, dict):
            if last:
                cur.value[p] = value
                return
            if p not in cur.value:
                cur.value[p] = Node({}, value.file, 0)
            cur = cur.value[p]
        else:
            raise ScenarioError([Problem(value.file, 0, where, "is a plain value; it has no "
                                         "keys below it")])


# ------------------------------------------------------------------------- validation


def _plain(n: Node, path: tuple, origins: dict) -> Any:
    origins[path] = (n.file, n.line)
    if isinstance(n.value, dict):
        return {k: _plain(v, path + (k,), origins) for k, v in n.value.items()}
    if isinstance(n.value, list):
        return [_plain(v, path + (i,), origins) for i, v in enumerate(n.value)]
    return n.value


def _dotted(loc: tuple) -> str:
    return ".".join(str(x) for x in loc)


def _where(loc: tuple, origins: dict) -> tuple[str, int]:
    for k in range(len(loc), -1, -1):
        if loc[:k] in origins:
            return origins[loc[:k]]
    return ("?", 0)


def _model_at(loc: tuple, root=None) -> type[BaseModel] | None:
    """The pydantic model whose keys are valid at ``loc`` (for 'did you mean')."""
    import typing

    cls: Any = root or schema.Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            return None
        f = cls.model_fields.get(part)
        if f is None:
            return None
        ann = f.annotation
        for _ in range(3):
            origin = typing.get_origin(ann)
            if origin in (list, typing.Union) or str(origin) == "<class 'types.UnionType'>":
                args = [a for a in typing.get_args(ann) if isinstance(a, type)
                        and issubclass(a, BaseModel)]
                ann = args[0] if args else None
            else:
                break
        cls = ann
    return cls if isinstance(cls, type) and issubclass(cls, BaseModel) else None


def _message(err: dict, root=None) -> str:
    t = err["type"]
    loc = tuple(err["loc"])
    if t == "extra_forbidden":
        parent = _model_at(loc[:-1], root)
        valid = list(parent.model_fields) if parent else []
        guess = difflib.get_close_matches(str(loc[-1]), valid, n=1)
        hint = f"; did you mean {guess[0]!r}?" if guess else ""
        return f"unknown key (valid keys here: {', '.join(valid)}{hint})"
    if t == "missing":
        if loc[-1] == "source" and _model_at(loc[:-1], root) is schema.Target:
            return (f"required key is missing: every target says where it comes from "
                    f"(valid: {schema.SOURCE_FORMS})")
        return "required key is missing"
    if t == "literal_error":
        return f"{err['input']!r} is not allowed ({err['msg'].replace('Input should be', 'valid:')})"
    if t in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping of keys to values, got {schema._describe(err['input'])}"
    if t == "list_type":
        return f"expected a list, got {schema._describe(err['input'])}"
    if t == "bool_type":
        return f"expected true or false, got {schema._describe(err['input'])}"
    if t == "string_type":
        return f"expected a text, got {schema._describe(err['input'])}"
    return err["msg"]


def _clean_loc(loc: tuple) -> tuple:
    # pydantic adds union branch names like 'list[...]' or 'literal[...]' to locs
    return tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p.startswith(
        "function-"))))


def validate_tree(tree: dict, origins: dict, root_name: str, model_cls=None):
    """Validate a resolved plain dict against ``model_cls`` (default: a scenario);
    raise :class:`ScenarioError` with lines."""

    cls = model_cls or schema.Scenario
    try:
        model = cls.model_validate(tree)
    except ValidationError as e:
        seen = set()
        problems = []
        for err in e.errors():
            loc = _clean_loc(tuple(err["loc"]))
            key = (loc, err["type"])
            if key in seen:
                continue
            seen.add(key)
            file, line = _where(loc, origins)
            problems.append(Problem(file, line, _dotted(loc), _message(err, cls)))
        raise ScenarioError(_dedupe_unions(problems)) from None
    if cls is not schema.Scenario:
        return model
    errs = schema.cross_check(model, METRIC_NAMES, FLOW_METRICS)
    if errs:
        raise ScenarioError([Problem(*_where(loc, origins), _dotted(loc), msg)
                             for loc, msg in errs])
    return model


def read_checked(path: Path, model_cls) -> tuple[Any, dict, str]:
    """Read a YAML file (no ``extends``) and validate it against ``model_cls``; return the
    model, the origins (key path -> file, line) and the file's display name. A missing
    ``name`` defaults to the file's stem."""
    node = read_yaml(path)
    origins: dict = {}
    tree = _plain(node, (), origins)
    if isinstance(tree, dict):  # anything else is refused by the validation
        tree.setdefault("name", path.stem)
    return validate_tree(tree, origins, path.stem, model_cls), origins, display_path(path)


def _dedupe_unions(problems: list[Problem]) -> list[Problem]:
    out, seen = [], set()
    for p in problems:
        if (p.file, p.line, p.path) in seen:
            continue
        seen.add((p.file, p.line, p.path))
        out.append(p)
    return out


def canonical_sha256(resolved: dict) -> str:
    """SHA-256 of the resolved scenario as canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(resolved, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load(source: str | Path | dict, overrides: list[str] | dict | None = None) -> Loaded:
    """Load a scenario from a file (or a dict), apply ``--set`` overrides, validate.

    ``overrides`` is a list of ``"key.path=value"`` strings or a ``{key.path: value}`` dict.
    """
    if isinstance(source, dict):
        root = _from_plain(copy.deepcopy(source), "<dict>")
        name = "<dict>"
        ext = root.value.pop("extends", None)
        if ext is not None:
            raise ScenarioError([Problem("<dict>", 0, "extends", "extends needs a file; load "
                                         "the base file and pass overrides instead")])
        _declare_inputs(root)  # a resolved dict's rows keep their central value
    else:
        path = Path(source)
        root = _resolve(path)
        name = path.stem
    if "name" not in root.value:
        root.value["name"] = Node(name if not isinstance(source, dict) else "scenario",
                                  root.file, 0)
    items = []
    if isinstance(overrides, dict):
        items = [(k, _from_plain(v, f"--set {k}")) for k, v in overrides.items()]
    elif overrides:
        items = [(k, v) for k, v in (parse_set(s) for s in overrides)]
    for key, node in items:
        _apply_set(root, key, node)
    if items:
        _declare_inputs(root)  # rows an override adds are declared with the overrides
    origins: dict = {}
    tree = _plain(root, (), origins)
    model = validate_tree(tree, origins, name)
    resolved = model.model_dump(mode="json")
    if not resolved["inputs"]:
        del resolved["inputs"]  # a scenario without inputs keeps the hash it had before them
    if resolved.get("province") is None:
        resolved.pop("province", None)  # likewise without the province's count of zones
    check_inputs(resolved, origins)
    return Loaded(model=model, resolved=resolved, sha256=canonical_sha256(resolved),
                  path=str(source) if not isinstance(source, dict) else "<dict>",
                  origins=origins,
                  overrides=[{"key": k, "value": _plain(node, (), {}), "source": "--set"}
                             for k, node in items])


def _from_plain(obj: Any, file: str) -> Node:
    if isinstance(obj, dict):
        return Node({str(k): _from_plain(v, file) for k, v in obj.items()}, file, 0)
    if isinstance(obj, list):
        return Node([_from_plain(v, file) for v in obj], file, 0)
    return Node(obj, file, 0)
