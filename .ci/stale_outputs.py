"""Run notebooks as `nbdev_test` does (slow and gpu cells skipped) and list each visible cell whose printed output now
differs from the one saved in the notebook: a saved output that older code made, which the docs still show.
Timings differ from run to run and are listed too; judge those by eye.  Usage (from nbs/): python ../.ci/stale_outputs.py NB..."""
import json, os, re, sys, difflib
from pathlib import Path

SKIPPED = {'slow', 'gpu', 'notest'}                     # the cells nbdev_test leaves out (settings.ini's tst_flags)

def directives(src:str) -> set:
    "The names of a cell's leading `#|` directives."
    out = set()
    for line in src.splitlines():
        if not line.startswith('#|'): break
        out.add(line[2:].strip().split(':')[0].strip())
    return out

def skipped(cell) -> bool:
    "Whether nbdev_test leaves the cell out (and so this check does too)."
    if cell.cell_type != 'code' or 'nbdev_export(' in cell.source: return True
    if re.search(r'^#\|\s*eval:\s*false', cell.source, re.M): return True
    return bool(SKIPPED & directives(cell.source))

def printed(outputs) -> str:
    "The text a reader sees of a cell's outputs (standard output and plain-text results; figures, warnings and logs left out), with temporary paths and addresses masked."
    parts = []
    for o in outputs:
        o = dict(o)
        if o.get('output_type') == 'stream' and o.get('name') != 'stderr': parts.append(''.join(o.get('text', '')))   # warnings and logs are not results
        elif 'text/plain' in o.get('data', {}) and 'image/png' not in o['data']: parts.append(''.join(o['data']['text/plain']))
    s = re.sub(r'/tmp/tmp\w+', '/tmp/…', '\n'.join(parts))
    return re.sub(r'0x[0-9a-f]+', '0x…', s)

def stale_cells(saved:list, run:list) -> list:
    "(index, first line, diff lines) for each visible code cell whose printed output differs between `saved` (raw dicts) and `run` (executed cells)."
    out = []
    for i, (rc, c) in enumerate(zip(saved, run)):
        if rc['cell_type'] != 'code' or skipped(c) or 'hide' in directives(c.source) or c.source.startswith('show_doc('): continue   # show_doc renders at build time
        old, new = printed(rc.get('outputs', [])), printed(c.outputs)
        if old != new:
            diff = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm='', n=0))[2:]
            out.append((i, c.source.splitlines()[0][:80], diff))
    return out

def check(fn:Path) -> list:
    "Run notebook `fn` in a fresh kernel, from its folder, and return its stale cells."
    from execnb.nbio import read_nb
    from execnb.shell import CaptureShell
    from fastcore.xtras import working_directory
    saved, nb = json.loads(fn.read_text())['cells'], read_nb(fn)
    os.environ['IN_TEST'] = '1'
    with working_directory(fn.parent): CaptureShell(fn).run_all(nb, exc_stop=True, preproc=skipped)
    return stale_cells(saved, nb.cells)

if __name__ == '__main__':
    n = 0
    for fn in map(lambda p: Path(p).resolve(), sys.argv[1:]):
        for i, first, diff in check(fn):
            n += 1; print(f'== {fn.name}, cell {i}: {first}')
            for line in diff[:12]: print('   ', line[:160])
        print(f'{fn.name}: checked', flush=True)
    print(f'{n} cells whose printed output differs from the saved one')
