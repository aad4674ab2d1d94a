"The fast path's CUDA graphs (and compiled steps) pinned to the harness's eager loop; skipped where PyTorch sees no GPU (CI)."
import pytest, torch
from eqprop_nb.fast import pin_to_reference, GPU_PINS

@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA GPU')
@pytest.mark.parametrize('preset,mode,kw,tol', GPU_PINS, ids=[f'{p}-{m}' for p, m, _, _ in GPU_PINS])
def test_fast_path_matches_eager(preset, mode, kw, tol, data_dir):
    d, e0, e1 = pin_to_reference(preset, mode, data=data_dir, **kw)
    print(f'{preset} {mode}: relative weight difference {d:.1e}, training error {e0:.2%} vs {e1:.2%}')
    assert d < tol and abs(e0 - e1) <= 2 / 600
