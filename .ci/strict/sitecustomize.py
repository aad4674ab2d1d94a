"""CI's notebook tests compare like with like: fastcore's test_close zips two lists (a shorter one passes), broadcasts two
tensors (shape (1,) against (5,) passes) and zips two dicts (their keys are compared, never their values), so here its
element test, is_close, first requires the same length or shape, at every level of nested lists, the shape of a nested list
against a tensor's, and of two dicts the same keys, then compares their values; a generator or other iterable is read into
a list first. `.ci/run` puts this folder on PYTHONPATH for the notebook jobs; Python imports this file at start-up, before
the notebooks import fastcore.test."""
import collections.abc, importlib.machinery, importlib.util, numbers, os, sys

def _list_shape(v):
    "The shape of a list or tuple nested as an array is, with numbers as its leaves; None where it is ragged or holds anything else."
    if not isinstance(v, (list, tuple)):
        return () if isinstance(v, numbers.Number) or getattr(v, 'shape', None) == () or tuple(getattr(v, 'shape', (0,))) == () else None
    inner = [_list_shape(e) for e in v]
    if any(i is None or i != inner[0] for i in inner): return None
    return (len(v),) + (inner[0] if inner else ())

def _mapping(v) -> bool:
    "A dict, or anything else that maps keys to values (MappingProxyType, torch's ParameterDict): keys() and item access."
    return isinstance(v, collections.abc.Mapping) or (hasattr(v, 'keys') and hasattr(v, '__getitem__') and not hasattr(v, 'shape'))

def _extent(v):
    "('shape', shape) of an array or tensor with at least one axis; ('len', shape or (length,), exact) of a list or tuple; ('keys', keys) of a dict; None of a scalar."
    if _mapping(v): return ('keys', set(v.keys()))
    if isinstance(v, (list, tuple)):
        shape = _list_shape(v)
        return ('len', shape or (len(v),), shape is not None)
    shape = getattr(v, 'shape', None)
    return ('shape', tuple(shape)) if shape is not None and len(shape) else None

def same_extent(a, b) -> bool:
    "Whether test_close may compare `a` and `b` element by element: equal shapes, lengths or keys, or a scalar on either side."
    ea, eb = _extent(a), _extent(b)
    if ea is None or eb is None: return ea is eb or (ea or eb)[0] != 'keys'      # a scalar is close to a tensor, never to a dict
    if 'keys' in (ea[0], eb[0]): return ea == eb
    if ea[0] == eb[0] == 'shape': return ea[1] == eb[1]
    if ea[0] == eb[0]: return ea[1][0] == eb[1][0]                     # two lists: their lengths (is_close recurses into them)
    (_, shape, exact), (_, other) = (ea, eb) if ea[0] == 'len' else (eb, ea)
    return shape == other if exact else shape[0] == other[0]          # a list against a tensor, which broadcasts it whole

def _materialised(v):
    "A generator, range, map, set or other iterable that is not a list, tuple, dict, string or array, as a list (so its length counts)."
    if isinstance(v, (list, tuple, str, bytes)) or _mapping(v) or hasattr(v, 'shape') or hasattr(v, '__array__'): return v
    try: return list(v) if hasattr(v, '__iter__') else v
    except TypeError: return v

def _strict(original):
    def is_close(a, b, eps=1e-5):
        a, b = _materialised(a), _materialised(b)
        if not same_extent(a, b): raise AssertionError(f'test_close: {_extent(a)} against {_extent(b)}: the two sides differ in extent')
        if _mapping(a) and _mapping(b): return all(is_close(a[k], b[k], eps) for k in a.keys())   # values, not keys
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
