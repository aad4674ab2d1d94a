"The docs build (nbdev_docs) runs some notebook cells itself: exported ones and any cell that imports (nbdev's `exec_show_docs`). None of them may be a slow or GPU cell, or every docs build, CI's included, would train networks."
from pathlib import Path
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

def test_the_check_sees_an_executed_slow_cell(tmp_path):
    import json
    nb = tmp_path/'x.ipynb'
    cell = lambda src: dict(cell_type='code', metadata={}, outputs=[], execution_count=None, source=src)
    nb.write_text(json.dumps(dict(nbformat=4, nbformat_minor=5, metadata={}, cells=[
        cell('#| slow\nimport math\nx = math.pi'), cell('#| slow\ny = 1'), cell('import math')])))
    got = [(c.source, set(c.directives_)) for c in docs_executed(nb)]
    assert got == [('import math\nx = math.pi', {'slow'}), ('import math', set())], got
