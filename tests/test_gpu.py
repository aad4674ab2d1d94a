"The fast path's CUDA graphs (and compiled steps) pinned to the harness's eager loop; skipped where PyTorch sees no GPU (CI)."
import pytest, torch
from eqprop_nb.fast import pin_to_reference, pin_holds, GPU_PINS

def _id(p, m, kw):
    return (f'{p}-{m}' + (f"-{kw['compile_mode']}" if 'compile_mode' in kw else '') + ('-layout' if 'model_kw' in kw else '')
            + ('-skip' if 'skip_unsettled' in kw else ''))

@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA GPU')
@pytest.mark.parametrize('preset,mode,kw,tol', GPU_PINS, ids=[_id(p, m, kw) for p, m, kw, _ in GPU_PINS])
def test_fast_path_matches_eager(preset, mode, kw, tol, data_dir):
    r = pin_to_reference(preset, mode, data=data_dir, **kw)
    print(preset, mode, r)
    assert pin_holds(r, tol), r

def test_pins_run_on_the_cpu_in_eager_mode(data_dir):
    "The pin machinery itself (CI has no GPU): eager FastPath equals the harness loop exactly, and the control reproduces."
    r = pin_to_reference('p-1h-bptt', 'eager', n=50, data=data_dir, device='cpu', control=True, epochs=3, T=4, K=2, sizes=[784, 8, 10])
    assert r['distance'] == 0 and r['control'] == 0 and r['error_eager'] == r['error_fast'] and pin_holds(r, 1e-5)

@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA GPU')
def test_a_parameter_frozen_between_graph_epochs_stays(data_dir):
    "A graph captured while W[1] moved must not go on moving it once it is frozen (the graphs are keyed to the frozen flags), nor keep it still once unfrozen."
    from eqprop_nb.train import get_config, setup_training
    from eqprop_nb.data import mnist, DeviceLoader
    from eqprop_nb.fast import FastPath
    x, y = mnist(data_dir, 'train', device='cuda', limit=200)
    algo, opt = setup_training(get_config('p-1h', T=6, K=2, momentum=0.9), 0, 'cuda')
    fp, dl = FastPath(algo, opt, 'graph'), DeviceLoader(x, y, bs=20, shuffle=True, seed=0)
    for e in range(2): fp.train_epoch(dl, e)                  # the third batch of each key on is a replay
    assert fp.graphs, 'no graph was captured'
    W = algo.model.W[1]
    W.requires_grad_(False); before = W.detach().clone()
    for e in range(2, 4): assert fp.train_epoch(dl, e)['trained'] == 200, 'a replayed epoch did not count its every example'
    assert torch.equal(W, before), 'a frozen parameter moved'
    W.requires_grad_(True)
    fp.train_epoch(dl, 4)
    assert not torch.equal(W, before), 'an unfrozen parameter stayed'

@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA GPU')
def test_fused_update_leaves_a_frozen_parameter():
    "C-EP's update kernel on the GPU with W[1] and b[0] frozen (the optimizer holds them): they stay, and the rest moves as the readable rule and opt.step() move it."
    from eqprop_nb.discrete import PrototypicalNet
    from eqprop_nb.ep import relax, update_grads
    from eqprop_nb.kernels import fused_update
    torch.manual_seed(0)
    m = PrototypicalNet([784, 120, 40, 10]).cuda()
    x = torch.rand(37, 784, device='cuda')
    y = torch.nn.functional.one_hot(torch.randint(10, (37,), device='cuda'), 10).float()
    s = relax(m, x, m.init_state(x), 20)
    s_next = relax(m, x, s, 10, 0.5, y)        # ten nudged steps on: the rule contrasts any two states, and each layer then moves well above float32's rounding
    frozen = ('W.1', 'b.0')
    ref, got = PrototypicalNet([784, 120, 40, 10]).cuda(), PrototypicalNet([784, 120, 40, 10]).cuda()
    for t in (ref, got):
        t.load_state_dict(m.state_dict())
        for name, p in t.named_parameters(): p.requires_grad_(name not in frozen)
    for p, g in zip(ref.parameters(), update_grads(ref, x, s, s_next, 0., 0.5)): p.grad = g if p.requires_grad else None
    torch.optim.SGD(ref.parameters(), lr=0.1).step()
    assert fused_update(got, x, s, s_next, 0.5, torch.optim.SGD(got.parameters(), lr=0.1)), 'the kernel declined'
    start = dict(m.named_parameters())
    for (name, a), b in zip(ref.named_parameters(), got.parameters()):
        if name in frozen: assert torch.equal(b, start[name]), f'{name} (frozen) moved'
        else:
            move = float((a - start[name]).abs().max())
            assert move > 0 and float((a - b).abs().max()) < 1e-3 * move, (name, move, float((a - b).abs().max()))

@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA GPU')
def test_resume_puts_back_the_cuda_generator(data_dir, tmp_path, monkeypatch):
    "A run on CUDA keeps CUDA's generator states in its checkpoint, and resuming puts them back (a model of one's own may draw noise there)."
    import eqprop_nb.train as tr
    run_epoch = tr.run_epoch
    def drawing(*a, **k):                                        # each epoch draws on CUDA, as a noisy model of one's own would
        r = run_epoch(*a, **k); torch.randn(7, device='cuda'); return r
    monkeypatch.setattr(tr, 'run_epoch', drawing)
    kw = dict(sizes=[784, 8, 10], T=2, K=2)
    tr.train('p-1h', tmp_path/'r', data_dir, 'cuda', 0, limit_train=40, limit_test=20, epochs=1, progress=False, verbose=False, **kw)
    ck = tr.load_checkpoint(tmp_path/'r'/'checkpoint.pt')
    assert ck['cuda_rng'] is not None and len(ck['cuda_rng']) == torch.cuda.device_count()
    algo, opt = tr.setup_training(tr.get_config('p-1h', **kw), 0, 'cuda')   # seeds every device with 0
    fresh = torch.cuda.get_rng_state(0)
    assert not torch.equal(fresh, ck['cuda_rng'][0]), 'the run drew on CUDA, so its state is not the fresh one'
    tr._restore(tmp_path/'r'/'checkpoint.pt', algo, opt, ck['identity'])
    assert torch.equal(torch.cuda.get_rng_state(0), ck['cuda_rng'][0])
