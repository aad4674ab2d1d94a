"The GPU campaign script (`.ci/gpu/campaign`), run here at toy sizes on the CPU: a lent GPU is rare, and a broken script would waste it."
import json, os, re, shutil, subprocess
from conftest import ROOT, BIN, train_here

def campaign(tmp_path, data_dir, budget, timeout, **env):
    "`bash .ci/gpu/campaign BUDGET cpu` with its output and runs under `tmp_path`: (exit status, log, out folder, runs folder)."
    out, runs = tmp_path/'out', tmp_path/'runs'
    env = dict(os.environ, OUT=str(out), CAMPAIGN_RUNS=str(runs), EQPROP_DATA=str(data_dir), OMP_NUM_THREADS='1',
               PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", **env)       # python3 is this environment's
    p = subprocess.run(['bash', str(ROOT/'.ci/gpu/campaign'), str(budget), 'cpu'], capture_output=True, text=True, env=env, timeout=timeout)
    return p.returncode, p.stdout + p.stderr, out, runs

def test_campaign_dry_run_on_the_cpu(tmp_path, data_dir):
    rc, log, out, runs = campaign(tmp_path, data_dir, 240, 400)
    assert rc == 0, log[-3000:]
    assert sorted(f.name for f in out.iterdir()) == ['bench_conv.json', 'log.txt', 'runs.json', 'runs.tgz', 'tte.json'], log[-3000:]
    assert 'phase 2 done' in log and 'end;' in log
    names = {'p-conv-b128-e30-s0', 'p-conv-b128-e30-s1', 'eb-1h-sym-cool-s0', 'eb-1h-sym-cool-s1', 'p-2h-b128-s2', 'p-2h-b128-s3', 'cep-2h',
             'cep-1h-random-s1', 'cep-1h-random-s2', 'cvf-1h-field-skip-s0', 'cvf-1h-field-skip-s1'}
    for name in names:
        assert 'final test error' in (runs/f'{name}.log').read_text(), (name, (runs/f'{name}.log').read_text()[-2000:])
        assert json.loads((runs/name/'metrics.json').read_text())[-1]['epoch'] == 1
    summary = {os.path.basename(s['path']): s for s in json.loads((out/'runs.json').read_text())}
    assert set(summary) == names, summary
    for name, flags in [('p-conv-b128-e30-s1', ['--preset p-conv ', '--batch-size 128', '--lrs 0.96,0.224,0.096', '--schedule cosine', '--seed 1']),
                        ('eb-1h-sym-cool-s1', ['--preset eb-1h ', '--nudge symmetric', '--cooldown 1', '--seed 1']), ('p-2h-b128-s2', ['--preset p-2h-b128 ', '--seed 2']), ('cep-2h', ['--preset cep-2h ']),
                        ('cep-1h-random-s2', ['--preset cep-1h ', '--seed 2']),          # the preset's random sign (--nudge random: nothing differs)
                        ('cvf-1h-field-skip-s1', ['--preset cvf-1h ', '--model vf-field', '--cooldown 1', '--skip-unsettled 0.001', '--seed 1'])]:
        assert all(f in summary[name]['command'] for f in flags), summary[name]['command']
    assert re.search(r'\b1 passed, \d+ skipped', (runs/'pins.log').read_text()), (runs/'pins.log').read_text()[-2000:]   # no GPU: the CPU pin only
    rows = json.loads((out/'bench_conv.json').read_text())
    assert [r['batch_size'] for r in rows] == [100] * 6
    both = {'unpool': 'mask', 'channels_last': True}
    assert [r['model_kw'] for r in rows] == [{}, {'unpool': 'mask'}, {'channels_last': True}, both, {}, both]
    assert log.count("x the default compiled step's speed") == 5
    assert [r['compile_mode'] for r in rows] == [None] * 6          # the CPU's dry run measures eager: no compile mode on its rows
    tte = json.loads((out/'tte.json').read_text())
    assert set(tte) == {'p-1h', 'eb-1h', 'p-1h-bptt'} and all(v['epochs'] == 1 == len(v['epoch_seconds']) for v in tte.values())


def test_campaign_parts(tmp_path, data_dir):
    "PARTS picks what a call runs (the dry run above takes the default, conv, tte and train): here the profile, the one-epoch check and trainings picked by TRAIN."
    rc, log, out, runs = campaign(tmp_path/'b', data_dir, 180, 300, PARTS='prof acc1 train', TRAIN='eb cep1 cvfc cvff ebc cep1c', PINS='0')
    assert rc == 0, log[-3000:]
    assert sorted(f.name for f in out.iterdir()) == ['acc1.json', 'log.txt', 'prof_conv.txt', 'runs.json', 'runs.tgz'], log[-3000:]   # no conv, no tte
    acc = json.loads((out/'acc1.json').read_text())      # on the CPU the eager fast path is the loop, weight for weight
    assert [(r['seed'], r['modes'], r['max_weight_difference']) for r in acc] == [(0, ['off', 'eager'], 0.), (1, ['off', 'eager'], 0.)], acc
    assert all(len(set(r['test_error'])) == 1 for r in acc) and acc[0]['test_error'] != acc[1]['test_error'], acc
    prof = (out/'prof_conv.txt').read_text()
    assert prof.startswith('== p-conv, batch 100, eager: 3 batches of T 4 + K 2 steps') and 'aten::max_unpool2d' in prof, prof[:3000]
    cool = [f'{p}-cool-s{s}' for p in ('cep-1h', 'cvf-1h', 'cvf-1h-field', 'eb-1h') for s in (0, 1)]
    assert sorted(f.name for f in runs.iterdir() if f.is_dir()) == sorted(['cep-1h-s2', 'cep-1h-s3', 'eb-1h-e60-s2', 'eb-1h-e60-s3', *cool]), log[-3000:]
    for name in cool:                       # one epoch here, so a cool-down of 1 (the GPU's: 20, 30, 10 and 30 of 50, 80, 30 and 100)
        conf = json.loads((runs/name/'config.json').read_text())
        assert (conf['cooldown'], conf['schedule'], conf['seed']) == (1, 'constant', int(name[-1])), conf
        assert conf['model'] == ('vf-field' if 'field' in name else 'vf' if 'cvf' in name else 'prototypical' if 'cep' in name else 'hopfield'), conf
        assert 'final test error' in (runs/f'{name}.log').read_text(), (runs/f'{name}.log').read_text()[-2000:]
    for name in ('cep-1h-s2', 'cep-1h-cool-s0'):    # [CEP20]'s one-way nudging, no longer the preset's
        assert json.loads((runs/name/'config.json').read_text())['nudge'] == 'fixed', name
    assert not (runs/'pins.log').exists()
    rc, log, out, runs = campaign(tmp_path/'c', data_dir, 100, 200, PARTS='train', TRAIN='conv eb2 p3 cvfh cvf2 cep2c cvf2c', PINS='compile',
                                  PCONV_FLAGS='--unpool mask --channels-last')
    assert rc == 0, log[-3000:]
    assert sorted(f.name for f in runs.iterdir() if f.is_dir()) == ['cep-2h-cool', 'cvf-1h-half-s0', 'cvf-1h-half-s1', 'cvf-2h', 'cvf-2h-field-cool',
                                                                    'eb-2h', 'p-3h', 'p-conv-b128-e30-s0', 'p-conv-b128-e30-s1'], log[-3000:]
    for name, model in (('cep-2h-cool', 'prototypical'), ('cvf-2h-field-cool', 'vf-field')):   # one epoch here: a cool-down of 1 (the GPU's 20 of 50, 15 of 40)
        conf = json.loads((runs/name/'config.json').read_text())
        assert (conf['sizes'], conf['model'], conf['cooldown']) == ([784, 512, 512, 10], model, 1), conf
        assert 'final test error' in (runs/f'{name}.log').read_text(), (runs/f'{name}.log').read_text()[-2000:]
    for s in json.loads((out/'runs.json').read_text()):
        if 'p-conv' in s['path']: assert s['command'].endswith('--unpool mask --channels-last'), s['command']
        if 'cvf-1h-half-s1' in s['path']: assert '--lrs 0.0038,0.0019' in s['command'] and '--seed 1' in s['command'], s['command']
    assert json.loads((runs/'p-conv-b128-e30-s1'/'config.json').read_text())['layout'] == {'unpool': 'mask', 'channels_last': True}
    assert re.search(r'\b3 skipped, \d+ deselected', (runs/'pins.log').read_text()), (runs/'pins.log').read_text()[-2000:]   # -k compile: the compile pins, skipped off a GPU


def test_campaign_resumes_the_unfinished_runs(tmp_path, data_dir):
    "PARTS=resume goes on with each run under the runs folder that has fewer epochs than it asked for; RESUME picks them by name."
    runs = tmp_path/'runs'
    for name in ('p-1h-a', 'cep-1h-b'):
        assert train_here('--preset', name[:-2], '--data', data_dir, '--out', runs/name, '--device', 'cpu', '--epochs', 1, '--no-progress',
                          '--limit-train', 100, '--limit-test', 100, '--T', 4, '--K', 2) == (0, '')
        conf = json.loads((runs/name/'config.json').read_text())
        (runs/name/'config.json').write_text(json.dumps(conf | {'epochs': 2}))    # as a run stopped after its first of two epochs
    (runs/'empty').mkdir()                                                         # a folder with no run in it is passed over
    rc, log, out, runs = campaign(tmp_path, data_dir, 100, 200, PARTS='resume', RESUME='p-1h*')
    assert rc == 0, log[-3000:]
    epochs = lambda name: [r['epoch'] for r in json.loads((runs/name/'metrics.json').read_text())]
    assert epochs('p-1h-a') == [1, 2], log[-3000:]
    assert epochs('cep-1h-b') == [1], log[-3000:]                                  # not picked by RESUME
    assert 'resume p-1h-a: --preset p-1h ' in log and '--resume' in log and 'resume cep-1h-b' not in log
    assert sorted(f.name for f in out.iterdir()) == ['log.txt', 'resume.json', 'resume.tgz'], log[-3000:]
    back = json.loads((out/'resume.json').read_text())                            # what comes back: the resumed run only
    assert [(os.path.basename(r['path']), r['epochs']) for r in back] == [('p-1h-a', 2)], back


def test_keep_carries_the_unfinished_runs_to_the_next_call(tmp_path, data_dir):
    "`.ci/gpu/keep` puts a call's unfinished runs into the tracked carry folder (and drops the finished); the next call's trainings start from them."
    runs, carry = tmp_path/'campaign', tmp_path/'carry'
    small = ['--limit-train', 100, '--limit-test', 100, '--T', 4, '--K', 2, '--device', 'cpu', '--fast', 'off', '--no-progress', '--epochs', 1]
    for name, extra in (('cep-2h', []), ('p-2h-b128', ['--warmup', 0])):         # one epoch: no warm-up epoch
        assert train_here('--preset', name, '--data', data_dir, '--out', runs/name, *small, *extra) == (0, '')
    conf = json.loads((runs/'cep-2h'/'config.json').read_text())
    (runs/'cep-2h'/'config.json').write_text(json.dumps(conf | {'epochs': 2}))   # as a run stopped after its first of two epochs
    carry.mkdir(); shutil.copytree(runs/'p-2h-b128', carry/'p-2h-b128')          # kept by an earlier call, finished in this one
    subprocess.run(['tar', 'czf', str(tmp_path/'runs.tgz'), '-C', str(tmp_path), 'campaign'], check=True)
    (tmp_path/'tte.json').write_text('{"p-1h": {}}'); (tmp_path/'log.txt').write_text('the call')   # the call's summaries beside runs.tgz
    keep = lambda: subprocess.run(['bash', str(ROOT/'.ci/gpu/keep'), str(tmp_path/'runs.tgz')], capture_output=True, text=True,
                                  env=dict(os.environ, CARRY=str(carry), RESULTS=str(tmp_path/'results'), PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}"), timeout=60)
    p = keep()
    assert p.returncode == 0, p.stderr
    (kept_at,) = (tmp_path/'results').iterdir()                                   # the figures the pages quote, kept in the repository
    assert sorted(f.name for f in kept_at.iterdir()) == ['log.txt', 'tte.json'] and f"kept the call's 2 summaries in {kept_at}" in p.stdout, p.stdout
    second = tmp_path/'second'; second.mkdir()                                    # a call that trained nothing: no runs.tgz, its folder given
    (second/'bench_conv.json').write_text('[]'); (second/'prof_conv.txt').write_text('kernels')
    p2 = subprocess.run(['bash', str(ROOT/'.ci/gpu/keep'), str(second)], capture_output=True, text=True, timeout=60,
                        env=dict(os.environ, CARRY=str(carry), RESULTS=str(tmp_path/'results2')))
    assert p2.returncode == 0 and sorted(f.name for f in next((tmp_path/'results2').iterdir()).iterdir()) == ['bench_conv.json', 'prof_conv.txt'], p2.stdout + p2.stderr
    p3 = subprocess.run(['bash', str(ROOT/'.ci/gpu/keep'), str(tmp_path/'campaign')], capture_output=True, text=True, timeout=60,
                        env=dict(os.environ, CARRY=str(tmp_path/'carry3'), RESULTS=str(tmp_path/'results3')))
    assert p3.returncode == 0 and not (tmp_path/'results3').exists(), p3.stdout + p3.stderr   # no summaries there: nothing kept, and no failure
    assert 'cep-2h: 1 of 2 epochs kept' in p.stdout and 'p-2h-b128: finished (1 of 1 epochs); removed' in p.stdout, p.stdout
    assert sorted(f.name for f in carry.iterdir()) == ['cep-2h']                  # the finished run is no longer carried
    assert sorted(f.name for f in (carry/'cep-2h').iterdir()) == ['checkpoint.pt', 'config.json', 'metrics.json']
    p = keep()                                                                     # the same call again: nothing further on
    assert p.returncode == 0 and 'as far on (1 epochs); kept as it was' in p.stdout and p.stdout.rstrip().startswith('cep-2h'), p.stdout
    kept = json.loads((carry/'cep-2h'/'metrics.json').read_text())
    rc, log, out, fresh = campaign(tmp_path/'next', data_dir, 100, 200, PARTS='train', TRAIN='cep2', PINS='0', CARRY=str(carry))
    assert rc == 0, log[-3000:]
    assert f'cep-2h goes on after epoch 1, from the checkpoint carried in {carry}' in log, log[-3000:]
    assert json.loads((fresh/'cep-2h'/'metrics.json').read_text()) == kept        # its epoch came from the carried run, not a new one
