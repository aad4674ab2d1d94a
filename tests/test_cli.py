"The `eqprop_train` command end to end, as a user runs it."
import json, os, re, signal, subprocess, sys, time
import pytest
from conftest import cli, train_here
from eqprop_nb.train import PRESETS

def test_list_presets():
    r = cli('--list-presets')
    assert r.returncode == 0, r.stderr
    names = [line.split()[0] for line in r.stdout.splitlines()]
    assert names == list(PRESETS) and {'ep17-1h', 'ep17-2h', 'ep17-3h'} <= set(names)
    assert '784-500-10' in r.stdout and 'T 20/K 4' in r.stdout
    # a table: the architecture, T/K and batch columns start at the same place on every line, however long a description
    def at(pattern, line):
        m = re.search(pattern, line); assert m, f'no {pattern!r} after two spaces in {line!r}'; return m.start()
    starts = {(at(r'  (784-|conv )', l), at(r'  T \d+/K', l), at(r'  batch ', l)) for l in r.stdout.splitlines()}
    assert len(starts) == 1, starts

def test_trains_to_a_floor_within_a_minute(data_dir, tmp_path):
    "Continuous EP, 784-500-10, on 6,000 training images for 3 epochs: at least 88% accuracy on 2,000 test images."
    t0 = time.perf_counter()
    r = cli('--preset', 'ep17-1h', '--data', data_dir, '--out', tmp_path/'run', '--device', 'cpu', '--epochs', 3,
            '--limit-train', 6000, '--limit-test', 2000, '--no-progress')
    wall = time.perf_counter() - t0
    assert r.returncode == 0, r.stderr
    hist = json.loads((tmp_path/'run'/'metrics.json').read_text())
    assert [h['epoch'] for h in hist] == [1, 2, 3]
    assert all(0 <= h['train_error'] <= 1 and 0 <= h['test_error'] <= 1 for h in hist)
    assert hist[-1]['test_error'] <= 0.12, hist
    assert hist[-1]['test_error'] < hist[0]['test_error']
    assert wall < 60, f'took {wall:.0f} s'
    assert 'final test error' in r.stdout
    assert (tmp_path/'run'/'learning_curves.png').stat().st_size > 1000

def test_overrides_reach_the_run(data_dir, tmp_path):
    r = cli('--preset', 'ep17-1h', '--data', data_dir, '--out', tmp_path/'o', '--device', 'cpu', '--epochs', 1,
            '--limit-train', 200, '--limit-test', 100, '--no-progress',
            '--sizes', '784,30,10', '--beta', '0.25', '--nudge', 'symmetric', '--lrs', '0.2,0.1', '--batch_size', 50,
            '--schedule', 'cosine', '--clip', 'No')
    assert r.returncode == 0, r.stderr
    cfg = json.loads((tmp_path/'o'/'config.json').read_text())
    assert (cfg['sizes'], cfg['beta'], cfg['nudge'], cfg['lrs'], cfg['batch_size']) == ([784, 30, 10], 0.25, 'symmetric', [0.2, 0.1], 50)
    assert cfg['clip'] is False                                                  # the preset clips
    import torch
    ck = torch.load(tmp_path/'o'/'checkpoint.pt', weights_only=True)
    assert [tuple(ck['model'][k].shape) for k in ('W.0', 'W.1')] == [(30, 784), (10, 30)]      # the model built is the one asked for
    assert [g['lr'] for g in ck['optimizer']['param_groups']] == pytest.approx([0.1, 0.05])   # cosine: half-way down in the middle of epoch 1 of 1
    assert cfg['schedule'] == 'cosine' and json.loads((tmp_path/'o'/'metrics.json').read_text())[0]['lr_factor'] == pytest.approx(0.5)

@pytest.mark.parametrize('args, message', [
    (['--preset', 'ep17-9h'], 'unknown preset'),
    (['--lrs', '0.1'], 'one per layer'),
    (['--act', 'swish'], "act must name an activation, one of hardsigmoid"),
    (['--clip', 'maybe'], '--clip maybe: give yes or no'),
    (['--beta', '0'], 'beta must be non-zero'),
    (['--nudge', 'sideways'], "unknown nudge 'sideways'; choose one of fixed, random, symmetric (--nudge)"),
    (['--device', 'cuda:7'], '--device'),
    (['--device', 'tpu'], '--device'),
    (['--dtype', 'float16'], "dtype must be 'float32' or 'float64', not 'float16' (--dtype)"),
    (['--model', 'conv'], 'at least one convolutional layer'),
    (['--preset', 'p-conv', '--pool', '0'], 'at least 1'),
    (['--preset', 'cep-1h', '--nudge', 'symmetric'], 'one way only'),
    (['--preset', 'p-1h', '--angle', '30'], 'vector-field model'),
    (['--preset', 'cvf-1h', '--angle', '200'], '[0, 180]'),
    (['--preset', 'cvf-1h', '--angle', 'flat'], '--angle flat: give degrees in [0, 180], e.g. 30, or none'),
    (['--preset', 'p-1h', '--angle', 'none'], 'only a vector-field model has'),
    (['--K', '0'], 'K must be a whole number of at least 1, got 0 (--K)'),
    (['--preset', 'cep-1h', '--K', '0'], 'K must be a whole number of at least 1, got 0 (--K)'),
    (['--epochs', '0'], 'epochs must be a whole number of at least 1, got 0 (--epochs)'),
    (['--lrs', '0.1,abc'], '--lrs 0.1,abc: give comma-separated numbers'),
    (['--sizes', '784,x,10'], '--sizes 784,x,10: give comma-separated whole numbers'),
    (['--lrs', '0.1,-0.05'], 'learning rates must be positive, got -0.05 for layer 2'),
    (['--lrs', '-0.1,-0.05'], 'learning rates must be positive, got -0.1 for layer 1'),   # argparse alone takes such a value for an option
    (['--seed', '-1', '--beta', '-0'], 'beta must be non-zero'),
    (['--lrs', '0.1,0'], '0 would leave that layer untrained'),
    (['--beta', 'nan'], 'beta must be a finite number, got nan (--beta)'),
    (['--beta', '1e-320'], 'is too small: the EP update divides by β, and 1/β overflows float32 (--beta; or --dtype float64)'),
    (['--out='], '--out is empty'),
    (['--data='], '--data is empty'),
    (['--seed', '9223372036854775807'], 'seed must lie between 0 and 2**32 − 1'),
    (['--device', 'meta'], 'trains on cpu or cuda, not meta'),
    (['--momentum', '1.5'], 'momentum must lie in [0, 1)'),
    (['--preset', 'p-1h', '--eps', '0.3'], 'eps is the Euler step of the hopfield models'),
    (['--preset', 'p-1h', '--kernel', '3'], 'shape the conv model'),
    (['--sizes', '784,16,5'], 'do not fit MNIST'),
    (['--limit-train', '0'], '--limit-train must be a positive number of examples, got 0'),
    (['--fast', 'warp'], 'unknown fast mode'),
    (['--dt', '0.5'], "discrete Φ models (prototypical, conv), not of 'hopfield' (--dt)"),
    (['--preset', 'p-1h', '--dt', '1.5'], 'dt must lie in (0, 1] (1: the undamped step), got 1.5 (--dt)'),
    (['--input-map', 'identity'], "unknown input_map 'identity'; choose one of x, rho (--input-map)"),
    (['--init', 'he'], "unknown init 'he'; choose one of glorot, uniform (--init)"),
    (['--preset', 'p-1h', '--init', 'uniform'], "leave them at 'x' and 'glorot' (--input-map, --init)"),
    (['--optimizer', 'rmsprop'], "unknown optimizer 'rmsprop'; choose one of sgd, adam (--optimizer)"),
    (['--model', 'boltzmann'], "unknown model 'boltzmann'; choose one of hopfield, prototypical, conv, vf, vf-field, vf-hopfield (--model)"),
    (['--algorithm', 'hebb'], "unknown algorithm 'hebb'; choose one of ep, bptt, cep (--algorithm)"),
    (['--preset', 'p-1h', '--angle', '30'], "not of 'prototypical' (--angle)"),
    (['--preset', 'cep-1h', '--nudge', 'symmetric'], "not 'symmetric' (--nudge)"),
    (['--fast', 'graph', '--device', 'cpu'], 'CUDA graphs need a CUDA device'),
    (['--fast', 'fused', '--device', 'cpu', '--preset', 'p-1h'], 'the fused kernels run on a CUDA GPU'),
    (['--schedule', 'step'], 'unknown schedule'),
    (['--warmup', '1'], 'fewer than the epochs'),
    (['--cooldown', '2'], 'lower --cooldown or raise --epochs'),
    (['--schedule', 'cosine', '--cooldown', '1'], 'drop --cooldown or --schedule'),
    (['--sizes', '784,,10'], '--sizes 784,,10: an empty item between commas'),
    (['--limit-test', '20000'], '--limit-test 20000: MNIST has 10000 test images'),
    (['--optimizer', 'adam', '--momentum', '0.9'], 'momentum is a setting of sgd'),
    (['--preset', 'p-1h', '--algorithm', 'bptt', '--nudge', 'symmetric'], 'nudge sets the nudged phase of EP, which BPTT does not have'),
])
def test_bad_options_give_a_clear_error(data_dir, tmp_path, args, message):
    # In this process: each refusal comes before any training, so a subprocess per case would mostly time torch's import.
    # The command's own `main` must end in SystemExit with the message, not in any other exception (a traceback on the console).
    argv = ['--data', data_dir, '--out', tmp_path/'x', '--limit-train', 100, '--limit-test', 100, '--epochs', 1, *args]
    rc, err = train_here(*argv)
    assert rc == 1 and isinstance(err, str) and err.startswith('eqprop_train: error: '), err   # printed, exit status 1
    assert message in err, err
    assert not (tmp_path/'x').exists(), 'a refused run must not leave files behind'

def test_a_refusal_on_the_console_is_one_line(data_dir, tmp_path):
    "The same path through the installed console script: exit status 1, the message on stderr, no traceback, no files."
    r = cli('--data', data_dir, '--out', tmp_path/'x', '--limit-train', 100, '--epochs', 1, '--beta', '0')
    assert r.returncode == 1 and r.stderr.strip().splitlines() == [r.stderr.strip()] and 'beta must be non-zero' in r.stderr, r.stderr
    assert not (tmp_path/'x').exists()

def test_missing_data_says_where_to_put_it(tmp_path):
    r = cli('--data', tmp_path/'empty', '--out', tmp_path/'x', '--epochs', 1)
    assert r.returncode != 0 and 'Traceback' not in r.stderr
    assert 'MNIST was not found' in r.stderr and 'train-images-idx3-ubyte.gz' in r.stderr

def test_existing_run_is_not_overwritten(data_dir, tmp_path):
    args = ['--data', data_dir, '--out', tmp_path/'r', '--device', 'cpu', '--epochs', 1, '--limit-train', 100, '--limit-test', 100]
    assert cli(*args).returncode == 0
    before = (tmp_path/'r'/'checkpoint.pt').read_bytes()
    r = cli(*args)
    assert r.returncode != 0 and '--resume' in r.stderr
    assert (tmp_path/'r'/'checkpoint.pt').read_bytes() == before

def test_p1h_short_run_is_fast(data_dir, tmp_path):
    "Discrete-time prototypical EP: 2,000 training images for one epoch on the CPU in well under a minute, and it learns."
    t0 = time.perf_counter()
    r = cli('--preset', 'p-1h', '--limit-train', 2000, '--epochs', 1, '--device', 'cpu', '--data', data_dir,
            '--out', tmp_path/'p', '--limit-test', 2000, '--no-progress')
    wall = time.perf_counter() - t0
    assert r.returncode == 0, r.stderr
    assert wall < 60, f'took {wall:.0f} s'
    assert json.loads((tmp_path/'p'/'metrics.json').read_text())[-1]['test_error'] < 0.3

@pytest.mark.parametrize('preset', ['p-1h-bptt', 'eb-1h', 'p-conv', 'cep-2h', 'cvf-2h'])
def test_other_algorithms_and_models_run(data_dir, tmp_path, preset):
    r = cli('--preset', preset, '--limit-train', 40, '--limit-test', 40, '--epochs', 1, '--device', 'cpu', '--data', data_dir,
            '--out', tmp_path/preset, '--T', 12, '--K', 4, '--no-progress')
    assert r.returncode == 0, r.stderr
    cfg = json.loads((tmp_path/preset/'config.json').read_text())
    assert (cfg['T'], cfg['K']) == (12, 4)

@pytest.mark.parametrize('preset', ['cep-1h', 'cvf-1h'])
def test_continual_presets_learn(data_dir, tmp_path, preset):
    "C-EP and C-VF with the papers' settings: 4,000 images, one epoch, far better than chance (90% error)."
    r = cli('--preset', preset, '--limit-train', 4000, '--limit-test', 1000, '--epochs', 1, '--device', 'cpu', '--data', data_dir,
            '--out', tmp_path/preset, '--no-progress')
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path/preset/'metrics.json').read_text())[-1]['test_error'] < 0.6

def test_angle_sweep_command(data_dir, tmp_path):
    "eqprop_angles: two angles, a few images; the table, angles.json and the figure come out, and the update angle grows."
    r = cli('--angles', '0,150', '--limit-train', 100, '--limit-test', 100, '--epochs', 1, '--measure-on', 50, '--device', 'cpu',
            '--data', data_dir, '--out', tmp_path/'a', prog='eqprop_angles')
    assert r.returncode == 0, r.stderr
    rows = json.loads((tmp_path/'a'/'angles.json').read_text())['rows']
    assert [row['init_angle'] for row in rows] == [0., 150.] and rows[0]['update_angle'] < rows[1]['update_angle']
    assert (tmp_path/'a'/'fig1c.png').exists() and 'update–BPTT' in r.stdout and 'first layer W.0' in r.stdout and 'training error' in r.stdout
    assert set(rows[0]['layer_angles']) == {'W.0', 'W.1', 'b.0', 'b.1', 'B.0'}
    r = cli('--preset', 'p-1h', '--data', data_dir, '--out', tmp_path/'b', prog='eqprop_angles')
    assert r.returncode != 0 and 'vector-field model' in r.stderr and 'Traceback' not in r.stderr
    r = cli('--angles', '0,200', '--data', data_dir, '--out', tmp_path/'c', prog='eqprop_angles')     # refused before the 0° run trains
    assert r.returncode != 0 and 'initial angles lie in [0, 180] degrees, got 200.0 (--angles)' in r.stderr and not (tmp_path/'c').exists(), r.stderr

def test_bench_quick(data_dir, tmp_path):
    "eqprop_bench --quick (what CI runs): every default preset, reference and fast path on the CPU, same weights, JSON written."
    r = cli('--quick', '--n', 60, '--device', 'cpu', '--data', data_dir, '--json', tmp_path/'b.json', prog='eqprop_bench', timeout=600)
    assert r.returncode == 0, r.stderr
    rows = json.loads((tmp_path/'b.json').read_text())['rows']
    assert [(x['preset'], x['mode']) for x in rows] == [(p, m) for p in ['p-1h', 'eb-1h', 'p-conv', 'cep-1h', 'p-1h-bptt'] for m in ['reference', 'eager']]
    assert all(x['weight_distance'] == 0 and x['examples'] == 60 and x['T'] <= 20 and x['K'] <= 8 for x in rows)
    assert 'speedup' in r.stdout
    r = cli('--preset', 'p-1h', '--modes', 'reference,graph', '--device', 'cpu', '--n', 20, '--data', data_dir, prog='eqprop_bench')
    assert r.returncode != 0 and "the mode 'graph' (CUDA graphs) needs a CUDA device, and this one is cpu" in r.stderr, r.stderr
    assert 'Traceback' not in r.stderr and 'speedup' not in r.stdout       # refused before any preset is timed

def test_runs_summary_gives_the_command_that_reproduces_a_run(data_dir, tmp_path):
    "`eqprop_runs` reads a run folder back; the command it prints, run again, trains the same configuration to the same weights."
    import shlex, torch
    args = ['--preset', 'p-1h', '--epochs', 1, '--limit-train', 100, '--limit-test', 100, '--lrs', '0.05,0.02', '--beta', 0.2,
            '--schedule', 'cosine', '--seed', 3]
    assert cli(*args, '--data', data_dir, '--out', tmp_path/'a', '--device', 'cpu', '--no-progress').returncode == 0
    r = cli(tmp_path, '--save', tmp_path/'s.json', prog='eqprop_runs')
    assert r.returncode == 0 and 'Traceback' not in r.stderr, r.stderr
    (s,) = json.loads((tmp_path/'s.json').read_text())
    hist = json.loads((tmp_path/'a'/'metrics.json').read_text())
    assert (s['epochs'], s['test_error'], s['train_error']) == (1, hist[0]['test_error'], hist[0]['train_error'])
    assert s['command'] in r.stdout
    cmd = shlex.split(s['command'])
    assert cmd[0] == 'eqprop_train'
    assert cli(*cmd[1:], '--data', data_dir, '--out', tmp_path/'b', '--device', 'cpu', '--no-progress').returncode == 0
    ca, cb = (json.loads((tmp_path/d/'config.json').read_text()) for d in 'ab')
    assert ca == cb
    wa, wb = (torch.load(tmp_path/d/'checkpoint.pt', weights_only=True)['model'] for d in 'ab')
    assert wa and wa.keys() == wb.keys() and all(torch.equal(wa[k], wb[k]) for k in wa)
    bad = cli(tmp_path/'nowhere', prog='eqprop_runs')
    assert bad.returncode == 1 and 'does not exist' in bad.stderr and 'Traceback' not in bad.stderr
    (tmp_path/'a'/'metrics.json').write_text('[{')                   # the only run damaged: skipped with its file named, and an error
    (tmp_path/'b'/'metrics.json').write_text('[{')
    bad = cli(tmp_path, prog='eqprop_runs')
    assert bad.returncode == 1 and 'cannot be read' in bad.stderr and 'no run folder could be read' in bad.stderr and 'Traceback' not in bad.stderr

def test_runs_save_refuses_a_run_folder(data_dir, tmp_path):
    "eqprop_runs --save into a run's folder (its own config.json among them) is refused: it overwrote the run's settings."
    from eqprop_nb.train import runs_main, find_runs
    assert train_here('--preset', 'p-1h', '--sizes', '784,8,10', '--T', 2, '--K', 1, '--epochs', 1, '--limit-train', 40, '--limit-test', 20,
                      '--device', 'cpu', '--no-progress', '--data', data_dir, '--out', tmp_path/'r') == (0, '')
    before = (tmp_path/'r'/'config.json').read_text()
    for target in (tmp_path/'r'/'config.json', tmp_path/'r'/'summary.json'):
        with pytest.raises(SystemExit) as e: runs_main([str(tmp_path/'r'), '--save', str(target)])
        assert 'lies in the folder of a run' in e.value.code, e.value.code
    assert (tmp_path/'r'/'config.json').read_text() == before and not (tmp_path/'r'/'summary.json').exists()
    runs_main([str(tmp_path/'r'), '--save', str(tmp_path/'summary.json')])        # beside it: written
    assert json.loads((tmp_path/'summary.json').read_text())[0]['epochs'] == 1
    assert find_runs(str(tmp_path)) == [tmp_path/'r']                              # one folder named alone, not its letters

def test_bench_refuses_before_it_runs(tmp_path):
    "eqprop_bench says what is wrong with --preset or --json before any timing (in this process: nothing runs)."
    from eqprop_nb.fast import main as bench_main
    run = tmp_path/'run'; run.mkdir()                                  # a run's folder: --json there was written over its checkpoint.pt
    (run/'config.json').write_text('{"preset": "p-1h", "seed": 0}'); (run/'checkpoint.pt').write_bytes(b'ck')
    for argv, message in ((['--preset', ','], 'give at least one preset'),
                          (['--preset', 'p-1h', '--json', tmp_path], '--json'),
                          (['--preset', 'p-1h', '--json', tmp_path/'missing'/'b.json'], 'must name a file in an existing folder'),
                          (['--preset', 'p-1h,nope'], "unknown preset 'nope'"),
                          (['--preset', 'p-1h', '--modes', 'eager,graph'], "the mode 'graph' (CUDA graphs) needs a CUDA device"),
                          (['--preset', 'p-1h,eb-1h,p-1h'], "each preset once, got ['p-1h', 'eb-1h', 'p-1h']"),
                          (['--preset', 'p-1h', '--modes', 'reference,reference'], 'each mode once'),
                          (['--preset', 'p-1h', '--json', f'{tmp_path}/b.json/'], 'must name a file in an existing folder'),
                          (['--preset', 'p-1h', '--json', '/proc/eqprop_b.json'], 'cannot write --json /proc/eqprop_b.json: no file can be made in /proc'),
                          (['--preset', 'p-1h', '--json', run/'checkpoint.pt'], f"lies in the folder of a run ({run}), which holds that run's files only")):
        with pytest.raises(SystemExit) as e: bench_main([str(a) for a in argv] + ['--device', 'cpu'])
        assert isinstance(e.value.code, str) and message in e.value.code, e.value.code
    assert (run/'checkpoint.pt').read_bytes() == b'ck'

def test_bench_killed_keeps_its_rows(data_dir, tmp_path):
    "SIGTERM (what timeout and job schedulers send) after the first row: --json holds that row, marked incomplete (it was written only at the end)."
    code = ("import sys, time, eqprop_nb.fast as f\n"
            "f.FastPath.train_epoch = lambda *a, **k: time.sleep(600)\n"     # the second mode waits: the signal comes while it runs, never after the end
            "f.main(sys.argv[1:])")
    p = subprocess.Popen([sys.executable, '-c', code, '--preset', 'p-1h', '--modes', 'reference,eager', '--device', 'cpu', '--n', '40',
                          '--passes', '1', '--data', str(data_dir), '--json', str(tmp_path/'b.json')],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONUNBUFFERED='1'))
    try:
        for line in p.stdout:                         # the first row's line: that row is measured, and (now) written
            if line.startswith('p-1h') and 'reference' in line: break
        else: pytest.fail(f'no row printed: {p.stderr.read()}')
        p.terminate(); p.wait(timeout=60)
    finally: p.kill()
    assert p.returncode == -15
    saved = json.loads((tmp_path/'b.json').read_text())
    assert saved['complete'] is False and [r['mode'] for r in saved['rows']] == ['reference'], saved

def test_bench_goes_on_when_a_write_after_a_row_fails(monkeypatch, data_dir, tmp_path):
    "A failed --json write after a row (a full disk, for a moment) stops no measuring: every mode is measured, and the last write holds every row."
    import eqprop_nb.train as t
    from eqprop_nb.fast import main as bench_main
    real, calls = t.save_json, []
    def flaky(path, obj):
        calls.append(len(obj['rows']))
        if len(calls) == 1: raise OSError(28, 'No space left on device')
        return real(path, obj)
    monkeypatch.setattr(t, 'save_json', flaky)
    bench_main(['--preset', 'p-1h', '--modes', 'reference,eager', '--device', 'cpu', '--n', '20', '--passes', '1', '--data', str(data_dir),
                '--json', str(tmp_path/'b.json')])
    saved = json.loads((tmp_path/'b.json').read_text())
    assert calls == [1, 2, 2] and saved['complete'] is True and [r['mode'] for r in saved['rows']] == ['reference', 'eager'], (calls, saved)

def test_out_with_a_tilde_is_the_home_folder(data_dir, tmp_path):
    "--out=~/r (the shell expands no ~ after '='): the run goes to $HOME/r, as --data's ~ does, not to a folder named ~ here."
    r = cli('--preset', 'p-1h', f'--out=~/r', '--data', data_dir, '--device', 'cpu', '--epochs', 1, '--limit-train', 40, '--limit-test', 20,
            '--T', 2, '--K', 1, '--no-progress', cwd=tmp_path, env=dict(os.environ, HOME=str(tmp_path/'home')))
    assert r.returncode == 0, r.stderr
    assert (tmp_path/'home'/'r'/'config.json').is_file() and not (tmp_path/'~').exists()

def test_angles_refuses_an_empty_out():
    "eqprop_angles --out '': refused (it wrote the runs, angles.json and fig1c.png into the working folder)."
    from eqprop_nb.angles import main as angles_main
    with pytest.raises(SystemExit) as e: angles_main(['--out', '', '--device', 'cpu'])
    assert "out is the sweep's folder, got ''" in e.value.code, e.value.code

def test_angle_sweep_interrupted_says_how_to_go_on(monkeypatch, capsys, tmp_path):
    "A Ctrl-C during the sweep: one line that says the same command goes on with the runs, then `Interrupted` (the launcher ends by SIGINT)."
    import eqprop_nb.angles as angles
    from eqprop_nb.cli import Interrupted
    def stopped(*a, **k): raise KeyboardInterrupt
    monkeypatch.setattr(angles, 'angle_sweep', stopped)
    with pytest.raises(Interrupted): angles.main(['--out', str(tmp_path/'a'), '--device', 'cpu'])
    assert capsys.readouterr().err == (f"eqprop_angles: interrupted; each angle's run in {tmp_path/'a'} keeps the checkpoint of its last "
                                       'finished epoch: the same command goes on with them\n')

def test_a_full_disk_is_said_in_one_line(data_dir, tmp_path):
    "A file-size limit stands in for a full disk, with the real writer: the first checkpoint cannot be written; the message says so, and the command runs again once there is room."
    code = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000)); "
            "from eqprop_nb.cli import launch; launch('eqprop_train', sys.argv[1:])")
    args = ['--preset', 'p-1h', '--sizes', '784,16,10', '--T', '4', '--K', '2', '--limit-train', '100', '--limit-test', '60', '--epochs', '1',
            '--device', 'cpu', '--no-progress', '--data', str(data_dir), '--out', str(tmp_path/'r')]
    r = subprocess.run([sys.executable, '-c', code, *args], capture_output=True, text=True, timeout=300, env=os.environ | {'PYTHONDONTWRITEBYTECODE': '1'})
    assert r.returncode == 1, r.stderr
    assert r.stderr.strip().splitlines()[-1] == (f"eqprop_train: error: could not save epoch 1 in {tmp_path/'r'} (File too large); no epoch was saved yet: "
                                                 "make room (or mend the folder) and run the command again"), r.stderr
    assert sorted(p.name for p in (tmp_path/'r').iterdir()) == ['config.json']
    assert train_here(*args) == (0, '')

def test_python_m_runs_the_command(tmp_path):
    "python -m eqprop_nb.train (fast, angles) runs the command as installed, once: fastcore ran each command the module defines, in turn, with its own parser (a training, then eqprop_runs' error on the same flags)."
    for mod, prog in (('train', 'eqprop_train'), ('fast', 'eqprop_bench'), ('angles', 'eqprop_angles')):
        r = subprocess.run([sys.executable, '-m', f'eqprop_nb.{mod}', '--help'], capture_output=True, text=True, cwd=tmp_path)
        assert r.returncode == 0 and r.stdout.startswith(f'usage: {prog} '), (mod, r.stdout[:200], r.stderr[-500:])
    r = subprocess.run([sys.executable, '-m', 'eqprop_nb.train', '--list-presets'], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0 and 'p-conv' in r.stdout and 'unrecognized' not in r.stderr, r.stderr[-500:]
    r = subprocess.run([sys.executable, '-m', 'eqprop_nb.train', '--preset', 'nope'], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 1 and "unknown preset 'nope'" in r.stderr and r.stderr.count('error') == 1, r.stderr[-500:]

def test_python_m_cli_runs_any_command_by_name(tmp_path):
    "python -m eqprop_nb.cli COMMAND runs any of the four commands by name (eqprop_runs has no module of its own): the full name or without the prefix, with its own parser; no command or an unknown one is a usage error naming the four."
    for name, prog in (('runs', 'eqprop_runs'), ('eqprop_runs', 'eqprop_runs'), ('train', 'eqprop_train'), ('bench', 'eqprop_bench'), ('angles', 'eqprop_angles')):
        r = subprocess.run([sys.executable, '-m', 'eqprop_nb.cli', name, '--help'], capture_output=True, text=True, cwd=tmp_path)
        assert r.returncode == 0 and r.stdout.startswith(f'usage: {prog} '), (name, r.stdout[:200], r.stderr[-500:])
    r = subprocess.run([sys.executable, '-m', 'eqprop_nb.cli', 'runs', str(tmp_path/'none')], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode != 0 and r.stderr.startswith('eqprop_runs') and str(tmp_path/'none') in r.stderr, r.stderr[-500:]
    for args, got in (([], 'got none'), (['eqprop_nope', '--help'], "got 'eqprop_nope'")):
        r = subprocess.run([sys.executable, '-m', 'eqprop_nb.cli', *args], capture_output=True, text=True, cwd=tmp_path)
        assert (r.returncode, r.stdout) == (2, '') and r.stderr == ('usage: python -m eqprop_nb.cli COMMAND [options ...], COMMAND one of eqprop_train, '
            f'eqprop_runs, eqprop_angles, eqprop_bench (or train, runs, angles, bench); {got}\n'), r.stderr[-500:]
    for flag in ('-h', '--help'):                     # asked for, the usage is no error: on stdout, exit 0 (it was 'got '--help'', exit 2)
        r = subprocess.run([sys.executable, '-m', 'eqprop_nb.cli', flag], capture_output=True, text=True, cwd=tmp_path)
        assert (r.returncode, r.stderr, r.stdout) == (0, '', 'usage: python -m eqprop_nb.cli COMMAND [options ...], COMMAND one of eqprop_train, '
            'eqprop_runs, eqprop_angles, eqprop_bench (or train, runs, angles, bench); COMMAND --help gives its options\n'), (flag, r.returncode, r.stdout, r.stderr[-500:])

def test_python_m_cli_reported_interrupt_is_one_line(tmp_path):
    "A command's own report of a Ctrl-C (`Interrupted`) under python -m eqprop_nb.cli is its one line, as under the installed command: the module run as __main__ is a second copy of eqprop_nb.cli, whose `Interrupted` was not the class the commands raise, so the launcher added 'eqprop_angles: interrupted'."
    code = ("import runpy, sys, eqprop_nb.angles as angles\n"
            "def stopped(*a, **k): raise KeyboardInterrupt\n"
            "angles.angle_sweep = stopped\n"
            "sys.argv = ['-m', 'angles', '--out', sys.argv[1], '--device', 'cpu']\n"
            "runpy.run_module('eqprop_nb.cli', run_name='__main__', alter_sys=True)")
    r = subprocess.run([sys.executable, '-W', 'ignore::RuntimeWarning', '-c', code, str(tmp_path/'a')], capture_output=True, text=True, cwd=tmp_path)
    assert (r.returncode, r.stderr) == (-signal.SIGINT, f"eqprop_angles: interrupted; each angle's run in {tmp_path/'a'} keeps the checkpoint of its last "
                                        'finished epoch: the same command goes on with them\n'), (r.returncode, r.stderr[-800:])

def test_python_m_hands_over_before_torch_loads(tmp_path):
    "python -m on a command's module reaches launch before PyTorch is imported, so that a Ctrl-C while it loads is the launcher's one line, as with the installed command (it was a traceback from inside torch's import: launch came after the module's own imports)."
    code = ("import runpy, sys\nfrom eqprop_nb import cli\n"
            "def seen(prog, argv=None): print(prog, 'torch' in sys.modules); sys.exit(0)\n"
            "cli.launch = seen\nrunpy.run_module(sys.argv[1], run_name='__main__', alter_sys=True)")
    for mod, prog in (('train', 'eqprop_train'), ('fast', 'eqprop_bench'), ('angles', 'eqprop_angles')):
        r = subprocess.run([sys.executable, '-c', code, f'eqprop_nb.{mod}'], capture_output=True, text=True, cwd=tmp_path)
        assert (r.returncode, r.stdout) == (0, f'{prog} False\n'), (mod, r.stdout, r.stderr[-500:])
