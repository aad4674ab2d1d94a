"The docs build (nbdev_docs) runs some notebook cells itself: exported ones and any cell that imports (nbdev's `exec_show_docs`). None of them may be a slow or GPU cell, or every docs build, CI's included, would train networks."
from pathlib import Path
import ast
import pytest
from nbdev.process import NBProcessor
from nbdev.processors import _do_eval
from nbdev.config import get_config

FLAGS = set(get_config().tst_flags.split())       # the cells nbdev_test skips: notest slow gpu

NBS = sorted((Path(__file__).parent.parent/'nbs').glob('*.ipynb'))

def docs_executed(nb):
    "The code cells of `nb` that nbdev_docs executes, with their directives."
    proc = NBProcessor(nb, procs=[])
    return [c for c in proc.nb.cells if c.cell_type == 'code' and _do_eval(c)]

@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_docs_build_runs_no_slow_cell(nb):
    bad = [c.source.splitlines()[0] + ' …' for c in docs_executed(nb) if c.directives_.keys() & FLAGS]
    assert not bad, f'{nb.name}: nbdev_docs would execute these cells, which nbdev_test skips (move their imports into a cell of their own): {bad}'

EXPORTED = {'export', 'exports', 'exporti', 'exec_doc'}   # the directives that make nbdev_docs run a cell as library code

def out_of_context(c):
    "A cell that nbdev_docs executes alone, though it is not exported: it must hold nothing but imports and show_doc calls."
    if c.directives_.keys() & EXPORTED: return False
    is_show_doc = lambda n: isinstance(n, ast.Expr) and isinstance(n.value, ast.Call) and getattr(n.value.func, 'id', '') == 'show_doc'
    return any(not isinstance(n, (ast.Import, ast.ImportFrom)) and not is_show_doc(n) for n in c.parsed_())            # parsed_(): the top-level statements

@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_docs_build_runs_no_test_cell(nb):
    "A test cell with an import in it runs in the docs build, without the cells before it (stop 26's CI failed so, in 03_train)."
    bad = [c.source.splitlines()[0] + ' …' for c in docs_executed(nb) if out_of_context(c)]
    assert not bad, f'{nb.name}: nbdev_docs would execute these cells on their own, as they import (move their imports into the imports cell at the top): {bad}'

def test_the_check_sees_an_executed_slow_cell(tmp_path):
    import json
    nb = tmp_path/'x.ipynb'
    cell = lambda src: dict(cell_type='code', metadata={}, outputs=[], execution_count=None, source=src)
    nb.write_text(json.dumps(dict(nbformat=4, nbformat_minor=5, metadata={}, cells=[
        cell('#| slow\nimport math\nx = math.pi'), cell('#| slow\ny = 1'), cell('import math')])))
    got = [(c.source, set(c.directives_)) for c in docs_executed(nb)]
    assert got == [('import math\nx = math.pi', {'slow'}), ('import math', set())], got
    alone = [out_of_context(c) for c in docs_executed(nb)]        # the mixed cell is flagged, the import-only one is not
    assert alone == [True, False], alone

SKIPPED_ON_PAGE = {'hide', 'export', 'exports', 'exporti', 'slow', 'gpu', 'notest'}   # cells the page does not show, or whose outputs no test run refreshes

def unshown_outputs(nb):
    "Visible code cells that print or plot but hold no saved output: the page shows their code and nothing under it (show_doc cells render at build time)."
    proc = NBProcessor(nb, procs=[])
    bad = []
    for c in proc.nb.cells:
        if c.cell_type != 'code' or c.directives_.keys() & SKIPPED_ON_PAGE: continue
        if str(c.directives_.get('eval:', [''])[0]).lower() == 'false' or str(c.directives_.get('include:', [''])[0]).lower() == 'false': continue
        src = c.source
        if ('print(' in src or 'plt.show(' in src or 'display(' in src or ends_in_a_value(src)) and not c.get('outputs'): bad.append(src.splitlines()[0] + ' …')
    return bad

def ends_in_a_value(src:str) -> bool:
    "Whether the cell's last statement is an expression Jupyter shows (a name, a dict, a comprehension; not a call, which may return None, nor a line ending in ';')."
    import ast
    lines = [l for l in src.splitlines() if not l.lstrip().startswith(('%', '!'))]
    try: body = ast.parse('\n'.join(lines)).body
    except SyntaxError: return False
    return bool(body) and not src.rstrip().endswith(';') and isinstance(body[-1], ast.Expr) and not isinstance(body[-1].value, (ast.Call, ast.Await, ast.Constant))

@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_every_shown_cell_that_prints_has_its_output(nb):
    bad = unshown_outputs(nb)
    assert not bad, f'{nb.name}: these cells print or plot but have no saved output (run them and save the notebook): {bad}'

def test_the_output_check_sees_a_printing_cell_without_output(tmp_path):
    "A cell that prints, or ends in a value, without its output is flagged; one with it, a hidden one, an assignment, a call and a ';' are not."
    import json
    nb = tmp_path/'x.ipynb'
    cell = lambda src, outs=(): dict(cell_type='code', metadata={}, outputs=list(outs), execution_count=None, source=src)
    nb.write_text(json.dumps(dict(nbformat=4, nbformat_minor=5, metadata={}, cells=[
        cell("print('a')"), cell("print('b')", [dict(output_type='stream', name='stdout', text=['b\n'])]),
        cell("#| hide\nprint('c')"), cell("#| slow\nprint('d')"), cell("x = 1"),
        cell("r = dict(a=1)\n{k: v for k, v in r.items()}"), cell("x"), cell("x;"), cell("f(x)"), cell("'doc'"),
        cell("y", [dict(output_type='execute_result', data={'text/plain': ['1']}, metadata={}, execution_count=None)])])))
    assert unshown_outputs(nb) == ["print('a') …", "r = dict(a=1) …", "x …"], unshown_outputs(nb)

def test_stale_outputs_finds_a_saved_output_older_code_made(tmp_path):
    "`make stale` (.ci/stale_outputs.py) runs a notebook and names the visible cells whose printed output is not what the saved one says; hidden and slow cells, figures, what goes to stderr and temporary paths are left out."
    import importlib.util, json
    spec = importlib.util.spec_from_file_location('stale_outputs', Path(__file__).parent.parent/'.ci'/'stale_outputs.py')
    so = importlib.util.module_from_spec(spec); spec.loader.exec_module(so)
    out = lambda text: [dict(output_type='stream', name='stdout', text=[text])]
    cell = lambda src, outs=(): dict(cell_type='code', metadata={}, outputs=list(outs), execution_count=None, source=src)
    nb = tmp_path/'x.ipynb'
    nb.write_text(json.dumps(dict(nbformat=4, nbformat_minor=5, metadata={}, cells=[
        cell("print(1 + 1)", out('3\n')), cell("print('same')", out('same\n')), cell("#| hide\nprint(4)", out('5\n')),
        cell("#| slow\nprint(6)", out('7\n')), cell("import tempfile; print(tempfile.mkdtemp())", out('/tmp/tmpabc123\n')),
        cell("import sys; print('a warning', file=sys.stderr)"),
        cell("pass", [dict(output_type='display_data', data={'image/png': 'iVBORw0K', 'text/plain': ['<Figure size 640x480 with 1 Axes>']}, metadata={})]),
        cell("x = 8\nx", [dict(output_type='execute_result', data={'text/plain': ['9']}, metadata={}, execution_count=None)])])))
    found = so.check(nb)
    assert [(i, first, diff) for i, first, diff in found] == [(0, 'print(1 + 1)', ['@@ -1 +1 @@', '-3', '+2']), (7, 'x = 8', ['@@ -1 +1 @@', '-9', '+8'])], found
