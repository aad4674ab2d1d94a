"""CI's notebook tests compare like with like: fastcore's test_close zips two lists (a shorter one passes) and broadcasts two
tensors (shape (1,) against (5,) passes), so here its element test, is_close, first requires the same length or shape, at
every level of nested lists. `.ci/run` puts this folder on PYTHONPATH for the notebook jobs; Python imports this file at
start-up, before the notebooks import fastcore.test."""
import importlib.machinery, importlib.util, os, sys

def _extent(v):
    "('shape', shape) of an array or tensor with at least one axis, ('len', n) of a list or tuple, None of a scalar."
    shape = getattr(v, 'shape', None)
    if shape is not None: return ('shape', tuple(shape)) if len(shape) else None
    return ('len', len(v)) if isinstance(v, (list, tuple)) else None

def same_extent(a, b) -> bool:
    "Whether test_close may compare `a` and `b` element by element: equal shapes, equal lengths, or a scalar on either side."
    ea, eb = _extent(a), _extent(b)
    if ea is None or eb is None: return True
    if ea[0] == eb[0]: return ea[1] == eb[1]
    return (ea[1][0] if ea[0] == 'shape' else ea[1]) == (eb[1][0] if eb[0] == 'shape' else eb[1])   # a tensor against a list: its first axis

def _strict(original):
    def is_close(a, b, eps=1e-5):
        if not same_extent(a, b): raise AssertionError(f'test_close: {_extent(a)} against {_extent(b)}: the two sides differ in extent')
        return original(a, b, eps)
    is_close.__doc__, is_close.strict = original.__doc__, True
    return is_close

def _start():
    if getattr(sys, '_eqprop_strict_close', False): return     # once per process, however many copies of this folder the path holds
    sys._eqprop_strict_close = True
    try:
        import fastcore.test as ft
        if not getattr(ft.is_close, 'strict', False): ft.is_close = _strict(ft.is_close)   # test_close calls it by its global name, and so does its recursion
    except ImportError: pass                                   # no fastcore in this interpreter: nothing to tighten
    me = os.path.realpath(__file__)                            # a sitecustomize further along the path, not a copy of this one, still runs
    for p in sys.path:
        f = os.path.join(p or '.', 'sitecustomize.py')
        if not os.path.isfile(f) or os.path.realpath(f) == me: continue
        try:
            with open(f, 'rb') as a, open(me, 'rb') as b:
                if a.read() == b.read(): continue
        except OSError: continue
        spec = importlib.machinery.PathFinder.find_spec('sitecustomize', [p])
        if spec is not None and spec.loader is not None:
            mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
        break

_start()
