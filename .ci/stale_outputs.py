"""Run notebooks as `nbdev_test` does (the cells flagged in settings.ini's tst_flags skipped) and list each visible cell whose printed output now
differs from the one saved in the notebook: a saved output that older code made, which the docs still show.
Timings differ from run to run and are listed too; judge those by eye.  Usage (from nbs/): python ../.ci/stale_outputs.py NB..."""
import json, os, re, sys, difflib
from pathlib import Path

def skipped(cell, flags:set) -> bool:
    "Whether nbdev_test leaves the cell out, as its own test does: not code, an `nbdev_export()` call, `eval: false`, or a flag of settings.ini's `tst_flags`."
    if cell.cell_type != 'code' or 'nbdev_export(' in cell.source: return True
    d = cell.directives_ or {}
    return d.get('eval:', [''])[0].lower() == 'false' or bool(flags & d.keys())

def printed(outputs) -> str:
    "The text a reader sees of a cell's outputs (standard output and plain-text results; figures, warnings and logs left out), with temporary paths and addresses masked."
    parts = []
    for o in outputs:
        o = dict(o)
        if o.get('output_type') == 'stream' and o.get('name') != 'stderr': parts.append(''.join(o.get('text', '')))   # warnings and logs are not results
        elif 'text/plain' in o.get('data', {}) and 'image/png' not in o['data']: parts.append(''.join(o['data']['text/plain']))
    s = re.sub(r'/tmp/tmp\w+', '/tmp/…', '\n'.join(parts))
    return re.sub(r'0x[0-9a-f]+', '0x…', s)

def stale_cells(saved:list, run:list, flags:set) -> list:
    "(index, first line, diff lines) for each visible code cell whose printed output differs between `saved` (raw dicts) and `run` (executed cells)."
    out = []
    for i, (rc, c) in enumerate(zip(saved, run)):
        if skipped(c, flags) or 'hide' in c.directives_ or c.source.startswith('show_doc('): continue   # show_doc renders at build time
        old, new = printed(rc.get('outputs', [])), printed(c.outputs)
        if old != new:
            diff = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm='', n=0))[2:]
            out.append((i, c.source.splitlines()[0][:80], diff))
    return out

def check(fn:Path) -> list:
    "Run notebook `fn` in a fresh kernel, from its folder, and return its stale cells."
    from execnb.shell import CaptureShell
    from fastcore.xtras import working_directory
    from nbdev.process import NBProcessor              # the cells with their directives read, as nbdev_test reads them
    from nbdev.config import get_config
    flags = set(get_config().tst_flags.split())
    saved, nb = json.loads(fn.read_text())['cells'], NBProcessor(fn, procs=[]).nb
    os.environ['IN_TEST'] = '1'
    with working_directory(fn.parent): CaptureShell(fn).run_all(nb, exc_stop=True, preproc=lambda c: skipped(c, flags))
    return stale_cells(saved, nb.cells, flags)

if __name__ == '__main__':
    n = 0
    for fn in map(lambda p: Path(p).resolve(), sys.argv[1:]):
        for i, first, diff in check(fn):
            n += 1; print(f'== {fn.name}, cell {i}: {first}')
            for line in diff[:12]: print('   ', line[:160])
        print(f'{fn.name}: checked', flush=True)
    print(f'{n} cells whose printed output differs from the saved one')
