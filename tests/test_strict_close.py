"The stricter test_close that CI's notebook jobs run under (.ci/strict/sitecustomize.py): two sides of another length or shape fail."
import importlib.util, os, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import types, numpy as np, torch
from fastcore.foundation import L
from fastcore.test import test_close
cases = {'zip': ([1.0], [1.0, 2.0]), 'broadcast': (torch.ones(1), torch.ones(5)), 'rows': (torch.ones(2, 3), torch.ones(3)),
         'nested': ([torch.ones(2), torch.ones(1)], [torch.ones(2), torch.ones(3)]), 'same': ([torch.ones(2), 1.0], [torch.ones(2), 1.0]),
         'scalar': (torch.ones(3), 1.0), 'far': ([1.0, 2.0], [1.0, 2.5]),
         'dict_values': ({'a': 1.0}, {'a': 2.0}), 'dict_keys': ({'a': 1.0}, {'a': 1.0, 'b': 2.0}),
         'dict_order': ({'a': [1.0, 2.0], 'b': 3.0}, {'b': 3.0, 'a': [1.0, 2.0]}), 'dict_nested': ({'a': [1.0, 2.0]}, {'a': [1.0]}),
         'generator': ((v for v in [1.0, 2.0]), [1.0, 2.0, 3.0]), 'generator_same': ((v for v in [1.0, 2.0]), [1.0, 2.0]),
         'L': (L([1.0, 2.0]), [1.0]), 'column': ([1.0, 1.0, 1.0], torch.ones(3, 1)), 'array': (np.ones((2, 3)), [1.0, 1.0]),
         'int_float_keys': ({1: 1.0}, {1.0: 1.0}), 'proxy_values': (types.MappingProxyType({'a': 1.}), types.MappingProxyType({'a': 2.}))}
for name, (a, b) in cases.items():
    try: test_close(a, b); print(name, 'passed')
    except AssertionError as e: print(name, 'failed', 'extent' if 'differ in extent' in str(e) else 'value')
    except Exception as e: print(name, 'raised', type(e).__name__)
"""

def probe(strict: bool) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT/'.ci'/'strict') if strict else '')
    r = subprocess.run([sys.executable, '-c', PROBE], capture_output=True, text=True, env=env, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return {line.split(' ', 1)[0]: line.split(' ', 1)[1] for line in r.stdout.splitlines()}

def test_fastcore_alone_lets_a_shorter_or_broadcast_side_pass():
    got = probe(strict=False)
    assert (got['zip'], got['broadcast'], got['L'], got['generator']) == ('passed',) * 4, got     # why the stricter one exists
    assert (got['dict_values'], got['dict_keys'], got['dict_order'], got['proxy_values']) == ('passed', 'passed', 'failed value', 'passed'), got   # it zips keys
    assert got['far'] == 'failed value', got

def test_strict_close_requires_the_same_extent_at_every_level_and_compares_dict_values():
    got = probe(strict=True)
    assert got == {'zip': 'failed extent', 'broadcast': 'failed extent', 'rows': 'failed extent', 'nested': 'failed extent',
                   'same': 'passed', 'scalar': 'passed', 'far': 'failed value', 'dict_values': 'failed value',
                   'dict_keys': 'failed extent', 'dict_order': 'passed', 'dict_nested': 'failed extent', 'generator': 'failed extent',
                   'generator_same': 'passed', 'L': 'failed extent', 'column': 'failed extent', 'array': 'failed extent',
                   'int_float_keys': 'passed', 'proxy_values': 'failed value'}, got

def test_ci_runs_the_notebooks_under_it():
    jobs = [l for l in (ROOT/'.ci'/'run').read_text().splitlines() if 'nbdev_test' in l and not l.lstrip().startswith('#')]
    assert len(jobs) == 2 and all('PYTHONPATH="$ROOT/.ci/strict' in l for l in jobs), jobs

def test_two_copies_on_the_path_load_it_once_and_run_another_sitecustomize(tmp_path):
    "A clone's .ci/strict in front of another's (or a link to it) must not recurse; a sitecustomize of someone else's further on still runs."
    import shutil
    shutil.copytree(ROOT/'.ci'/'strict', tmp_path/'copy')
    (tmp_path/'link').symlink_to(ROOT/'.ci'/'strict')
    (tmp_path/'other').mkdir(); (tmp_path/'other'/'sitecustomize.py').write_text("print('other ran')\n")
    path = os.pathsep.join(str(p) for p in (tmp_path/'copy', ROOT/'.ci'/'strict', tmp_path/'link', tmp_path/'other'))
    r = subprocess.run([sys.executable, '-c', "import fastcore.test as ft; print('strict', getattr(ft.is_close, 'strict', False))"],
                       capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=path), cwd=tmp_path)
    assert (r.returncode, r.stderr, r.stdout.split()) == (0, '', ['other', 'ran', 'strict', 'True']), (r.stderr[-2000:], r.stdout)
