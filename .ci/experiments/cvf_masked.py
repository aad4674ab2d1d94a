"""An experiment, not the library (2026-12-07): C-VF with the σ′-free rule, each example that the free phase leaves unsettled
(one more free step moves a unit of it by more than 1e-3, `unsettled` of 05b_continual) left out of that batch's continual update.
It tests the reading of 05b's "Examples without a fixed point": that such examples' updates, of order 1/β, drive the late growth of B.
Usage (from the repository root, the package installed): python .ci/experiments/cvf_masked.py SEED OUT [EPOCHS COOLDOWN [LIMIT]]
(the runs of 2026-12-07: seeds 3, 4, 7 and 0, OUT runs/s51/cvfmask-sSEED, 80 epochs, the last 30 cooling down; one thread each, OMP_NUM_THREADS=1)
The library has it since as an option, `skip_unsettled` (eqprop_train --skip-unsettled 1e-3), which computes the same, bit for bit (05b_continual);
this script stays as the record of how those four runs were made (its counters renamed so that they do not shadow the option's `left_out`)."""
import sys, torch
from eqprop_nb.continual import Continual
from eqprop_nb.ep import relax, checked_target, resolved_betas
from eqprop_nb.train import train, register_algorithm, build_cep

class MaskedContinual(Continual):
    "Continual EP whose update leaves out the examples the free phase has not settled (their second-phase states are read as unmoved)."
    tol, masked_out, seen = 1e-3, 0, 0
    def step_with(self, x, y, beta1, beta2):
        y = checked_target(self.model, x, y)
        resolved_betas(beta1, beta2, x.dtype, type(self).__name__)
        s0 = self.free_phase(x)
        with torch.no_grad(): s1 = relax(self.model, x, s0, 1, check_finite=False)
        keep = torch.stack([(a - b).abs().flatten(1).amax(1) for a, b in zip(s1, s0)]).amax(0) <= self.tol
        self.masked_out += int((~keep).sum()); self.seen += len(x)
        m, rule = self.model, self.model.contrast_grads
        def masked(x, sa, sb, b1, b2, **kw):           # an unsettled example's contrast is zero: sb read as sa for it
            return rule(x, sa, [torch.where(keep[:, None], b, a) for a, b in zip(sa, sb)], b1, b2, **kw)
        m.contrast_grads = masked
        try: self.second_phase(x, y, s0, beta2)
        finally: del m.contrast_grads
        return s0[-1]

@register_algorithm('cep-masked')
def build_masked(cfg, model, seed=0):
    a = build_cep(cfg, model, seed)
    m = MaskedContinual(model, a.T, a.K, a.betas[1], a.random_sign, seed, check_finite=False)
    return m

if __name__ == '__main__':
    seed, out = int(sys.argv[1]), sys.argv[2]
    epochs, cooldown = (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) > 4 else (80, 30)
    run = train('cvf-1h', model='vf-field', algorithm='cep-masked', epochs=epochs, cooldown=cooldown, seed=seed, out=out,
                device='cpu', fast='compile', progress=False, **({'limit_train': int(sys.argv[5]), 'limit_test': int(sys.argv[5])} if len(sys.argv) > 5 else {}))
    a = run.algo
    print(f'left out {a.masked_out} of {a.seen} examples in the last call ({100 * a.masked_out / max(a.seen, 1):.3f}%)')
