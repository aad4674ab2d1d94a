"A run killed mid-epoch (SIGKILL) and resumed ends exactly like the run that was never interrupted."
import fcntl, json, os, signal, subprocess, sys, time
import pytest, torch
from conftest import cli, BIN, train_here

# momentum makes the optimizer state matter; random-sign nudging makes the algorithm's generator matter
COMMON = ['--device', 'cpu', '--epochs', 3, '--limit-train', 1200, '--limit-test', 300, '--sizes', '784,100,10', '--momentum', '0.9',
          '--no-progress']
RUNS = {'ep17-1h': ['--preset', 'ep17-1h', '--lrs', '0.02,0.01', *COMMON],
        # continual EP on a vector-field model: the optimizer steps inside the second phase, random-sign nudging, sign-flip init
        'cvf-1h': ['--preset', 'cvf-1h', '--angle', '30', '--T', 20, '--K', 8, *COMMON]}

def strip(hist): return [{k: v for k, v in h.items() if k != 'seconds'} for h in hist]

@pytest.mark.parametrize('run', list(RUNS))
def test_kill_and_resume_is_exact(data_dir, tmp_path, run):
    ARGS = RUNS[run]
    ref, cut = tmp_path/'ref', tmp_path/'cut'
    assert cli(*ARGS, '--data', data_dir, '--out', ref).returncode == 0
    # the same run, killed as soon as its first checkpoint lands, i.e. early in epoch 2 (an epoch takes 1-3 s here, the poll 20 ms)
    p = subprocess.Popen([str(BIN/'eqprop_train'), *map(str, ARGS), '--data', str(data_dir), '--out', str(cut)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not (cut/'metrics.json').exists() and time.time() < deadline and p.poll() is None: time.sleep(0.02)
    p.send_signal(signal.SIGKILL); p.wait()
    killed_at = len(json.loads((cut/'metrics.json').read_text()))
    assert 1 <= killed_at < 3, 'the run was not interrupted mid-way'
    fd = os.open(cut, os.O_RDONLY)                # the folder locked as a live run locks it: a second run there is refused
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)   # (and the killed run's lock is gone, or this would fail)
    try: assert train_here(*ARGS, '--data', data_dir, '--out', cut, '--resume') == (1, f'eqprop_train: error: {cut} is in use: another run is training there now; wait for it to end, or choose another --out')
    finally: os.close(fd)
    assert len(json.loads((cut/'metrics.json').read_text())) == killed_at
    r = cli(*ARGS, '--data', data_dir, '--out', cut, '--resume')
    assert r.returncode == 0, r.stderr
    h_ref = json.loads((ref/'metrics.json').read_text())
    h_cut = json.loads((cut/'metrics.json').read_text())
    assert len(h_cut) == 3 and strip(h_cut) == strip(h_ref)
    a = torch.load(ref/'checkpoint.pt', weights_only=True)['model']
    b = torch.load(cut/'checkpoint.pt', weights_only=True)['model']
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)

# The two tests below check what --resume decides, not the process boundary (the test above does that): they call the command's
# `main` in this process, which spares each of their runs a fresh import of torch.
def test_resume_with_other_settings_is_refused(data_dir, tmp_path):
    small = ['--preset', 'ep17-1h', '--device', 'cpu', '--limit-train', 100, '--limit-test', 100, '--data', data_dir, '--out', tmp_path/'r',
             '--no-progress']
    assert train_here(*small, '--epochs', 1) == (0, '')
    rc, err = train_here(*small, '--epochs', 2, '--resume', '--beta', '0.9')
    assert rc != 0 and 'another run' in err and 'beta' in err, err
    assert train_here(*small, '--epochs', 2, '--resume') == (0, '')
    assert [h['epoch'] for h in json.loads((tmp_path/'r'/'metrics.json').read_text())] == [1, 2]

def test_resume_with_more_epochs_under_a_schedule_says_so(data_dir, tmp_path, capsys):
    "The cosine is laid over --epochs: resuming a finished 1-epoch run for 3 epochs moves the curve, and the run says how."
    small = ['--preset', 'p-1h', '--sizes', '784,16,10', '--T', 4, '--K', 2, '--schedule', 'cosine', '--device', 'cpu',
             '--limit-train', 100, '--limit-test', 100, '--no-progress', '--data', data_dir, '--out', tmp_path/'r']
    assert train_here(*small, '--epochs', 1) == (0, '')
    capsys.readouterr()
    assert train_here(*small, '--epochs', 3, '--resume') == (0, '')
    err = capsys.readouterr().err
    assert 'the cosine schedule was laid over 1 epoch and now spans 3: epoch 2 runs at 0.5 × the base learning rates (before: none' in err, err
    h = json.loads((tmp_path/'r'/'metrics.json').read_text())
    assert [round(e['lr_factor'], 4) for e in h] == [0.5, 0.5, 0.067]
    const = [a if a != 'cosine' else 'constant' for a in small[:-1]] + [tmp_path/'c']     # a constant schedule: nothing moves
    assert train_here(*const, '--epochs', 1) == (0, '')
    capsys.readouterr()
    assert train_here(*const, '--epochs', 2, '--resume') == (0, '')
    err = capsys.readouterr().err
    assert 'note:' not in err, err

def test_resume_without_preset_reads_the_saved_settings(data_dir, tmp_path, capsys):
    "`eqprop_train --out DIR --resume` goes on with the settings DIR saved: the same epochs as a run that never stopped."
    settings = ['--preset', 'p-1h', '--sizes', '784,16,10', '--T', 4, '--K', 2, '--lrs', '0.05,0.02', '--warmup', 1, '--seed', 3,
                '--limit-train', 100, '--limit-test', 60, '--val', 20]
    where = ['--device', 'cpu', '--no-progress', '--data', data_dir]
    assert train_here(*settings, *where, '--epochs', 3, '--out', tmp_path/'whole') == (0, '')
    assert train_here(*settings, *where, '--epochs', 2, '--out', tmp_path/'cut') == (0, '')
    capsys.readouterr()
    assert train_here('--out', tmp_path/'cut', '--resume', '--epochs', 3, *where) == (0, '')
    assert ('note: --resume without --preset: ' + f"{tmp_path/'cut'} goes on with the settings it saved, --preset p-1h --sizes 784,16,10 "
            '--T 4 --K 2 --lrs 0.05,0.02 --epochs 3 --warmup 1 --seed 3 --limit-train 100 --limit-test 60 --val 20') in capsys.readouterr().err
    read = lambda run, f: json.loads((tmp_path/run/f).read_text())
    assert read('cut', 'config.json') == read('whole', 'config.json')
    assert strip(read('cut', 'metrics.json')) == strip(read('whole', 'metrics.json')) and len(read('cut', 'metrics.json')) == 3
    rc, err = train_here('--out', tmp_path/'cut', '--resume', '--epochs', 4, '--seed', 4, *where)   # what the command line sets comes first
    assert rc == 1 and 'belongs to another run (differs in seed)' in err, err
    conf = read('cut', 'config.json')
    for field, value in (('T', 'two'), ('limit_train', '60')):                                # damaged fields: the file's fault, not a flag's
        (tmp_path/'cut'/'config.json').write_text(json.dumps(conf | {field: value}))
        rc, err = train_here('--out', tmp_path/'cut', '--resume', *where)
        assert rc == 1 and f"{tmp_path/'cut'/'config.json'} holds a setting no run can use (" in err and repr(value) in err and 'mend that field' in err, err
    (tmp_path/'cut'/'config.json').write_text(json.dumps(conf | {'T': 'two'}))                # the command line sets it: the file's value is not used
    assert train_here('--out', tmp_path/'cut', '--resume', '--T', 4, *where) == (0, '')
    rc, err = train_here('--out', tmp_path/'cut', '--resume', '--T', 0, *where)               # a bad flag is the flag's fault
    assert rc == 1 and 'T must be a whole number of at least 1, got 0 (--T)' in err and 'config.json' not in err, err
    (tmp_path/'cut'/'config.json').write_text('[]')
    assert train_here('--out', tmp_path/'cut', '--resume', *where) == (1, f"eqprop_train: error: {tmp_path/'cut'/'config.json'} is not the "
                                                                   "config.json of an eqprop_train run: resume with the run's --preset and its other settings")
    (tmp_path/'cut'/'config.json').write_text('{"preset": "p-1h",')                           # not JSON at all: said, with the way on
    rc, err = train_here('--out', tmp_path/'cut', '--resume', *where)
    assert rc == 1 and 'config.json cannot be read' in err and "resume with the run's --preset and its other settings on the command line" in err, err
    (tmp_path/'cut'/'config.json').unlink()                                                   # gone: the checkpoint alone is not read as ep17-1h's
    rc, err = train_here('--out', tmp_path/'cut', '--resume', *where)
    assert (rc, err) == (1, f"eqprop_train: error: {tmp_path/'cut'} holds checkpoint.pt but no config.json, where --resume without --preset reads "
                            "the run's settings: give the run's --preset and the settings it changed on the command line (the checkpoint checks "
                            "that they match), or put its config.json back"), err

def test_independent_backward_weights_over_a_preset(data_dir, tmp_path, capsys):
    "`--angle none` gives a vector-field preset independent backward weights; the run resumes from its folder alone, and reads back as a command."
    from eqprop_nb.train import run_summary
    where = ['--device', 'cpu', '--no-progress', '--data', data_dir, '--out', tmp_path/'r']
    small = ['--preset', 'cvf-1h', '--sizes', '784,16,10', '--lrs', '0.01,0.005', '--T', 4, '--K', 2, '--limit-train', 100, '--limit-test', 60]
    assert train_here(*small, '--angle', 'none', '--epochs', 1, *where) == (0, '')
    assert json.loads((tmp_path/'r'/'config.json').read_text())['angle'] is None
    capsys.readouterr()
    assert train_here('--resume', '--epochs', 2, *where) == (0, '')
    assert '--angle none' in capsys.readouterr().err
    assert len(json.loads((tmp_path/'r'/'metrics.json').read_text())) == 2
    assert '--angle none' in run_summary(tmp_path/'r')['command']
    rc, err = train_here(*small, '--epochs', 3, '--resume', *where)         # the preset's angle (0°) is another run
    assert rc == 1 and 'angle' in err, err

def _tamper_history(ck_path, val_errors):
    "Rewrite the validation errors in a checkpoint's history (what a run killed at another moment, or another order of epochs, would hold)."
    ck = torch.load(ck_path, weights_only=True)
    for r, v in zip(ck['history'], val_errors): r['val_error'] = v
    torch.save(ck, ck_path)

def test_best_pt_agrees_with_the_history_on_resume(data_dir, tmp_path, capsys):
    "best.pt holds the epoch of the lowest validation error in the checkpoint's history, or, where those weights are gone, no file says it does."
    r = tmp_path/'r'
    small = ['--preset', 'p-1h', '--sizes', '784,16,10', '--T', 4, '--K', 2, '--limit-train', 100, '--limit-test', 60, '--val', 20,
             '--device', 'cpu', '--no-progress', '--data', data_dir, '--out', r, '--epochs', 3]
    assert train_here(*small) == (0, '')
    # the last epoch is the best and best.pt is gone (a run killed between the checkpoint and best.pt): written again from the checkpoint
    _tamper_history(r/'checkpoint.pt', [0.5, 0.4, 0.3]); (r/'best.pt').unlink()
    capsys.readouterr()
    assert train_here(*small, '--resume') == (0, '')
    out, err = capsys.readouterr()
    assert f"note: {r} held no best.pt, where its history's lowest validation error is that of epoch 3, the checkpoint's: best.pt is written again from the checkpoint" in err, err
    assert f'lowest validation error 30.00% in epoch 3: test error' in out and f'(its weights: {r}/best.pt)' in out, out
    b, ck = torch.load(r/'best.pt', weights_only=True), torch.load(r/'checkpoint.pt', weights_only=True)
    assert b['epoch'] == 3 and b['record']['val_error'] == 0.3 and all(torch.equal(b['model'][k], ck['model'][k]) for k in ck['model'])
    # another run's best.pt in its place: put aside before the checkpoint's epoch is written (it was written over)
    b['identity']['seed'] = 7; torch.save(b, r/'best.pt')
    assert train_here(*small, '--resume') == (0, '')
    err = capsys.readouterr().err
    assert (f"note: {r} held a best.pt of epoch 3 of another run (that file is renamed best.pt.earlier), where its history's lowest validation "
            "error is that of epoch 3, the checkpoint's: best.pt is written again from the checkpoint") in err, err
    assert [torch.load(r/f, weights_only=True)['identity']['seed'] for f in ('best.pt.earlier', 'best.pt')] == [7, 0]
    # an earlier epoch is the best, and best.pt holds another (ahead of the history, say): put aside, and the weights said to be lost
    _tamper_history(r/'checkpoint.pt', [0.2, 0.4, 0.3])
    assert train_here(*small, '--resume') == (0, '')
    out, err = capsys.readouterr()
    assert (f"note: {r} holds a best.pt of epoch 3 (that file is renamed best.pt.earlier2), where its history's lowest validation error is that "
            "of epoch 1, whose weights are no longer kept; best.pt is written again when a later epoch's validation error is lower") in err, err
    assert 'lowest validation error 20.00% in epoch 1' in out and '(its weights are not kept: see the note above)' in out, out
    assert not (r/'best.pt').exists() and torch.load(r/'best.pt.earlier2', weights_only=True)['epoch'] == 3
    assert train_here(*small, '--resume') == (0, '')                  # said again (the last line points to it); nothing is renamed again
    assert "holds no best.pt, where its history's lowest validation error is that of epoch 1, whose weights are no longer kept; best" in capsys.readouterr().err
    assert not (r/'best.pt').exists() and not (r/'best.pt.earlier3').exists()

def test_an_earlier_runs_files_are_never_overwritten(data_dir, tmp_path, capsys):
    "Each --resume that finds no checkpoint puts the earlier run's files aside under a suffix of their own, with the config.json that made them."
    r = tmp_path/'r'
    small = ['--preset', 'p-1h', '--sizes', '784,16,10', '--T', 4, '--K', 2, '--limit-train', 100, '--limit-test', 60, '--val', 20,
             '--device', 'cpu', '--no-progress', '--data', data_dir, '--out', r]
    assert train_here(*small, '--epochs', 2) == (0, '')
    for n, tag in ((1, '.earlier'), (2, '.earlier2')):
        (r/'checkpoint.pt').unlink()
        capsys.readouterr()
        assert train_here(*small, '--epochs', 1, '--resume') == (0, '')
        assert f'(the metrics.json and best.pt and config.json of an earlier run there are renamed *{tag})' in capsys.readouterr().err
    assert [len(json.loads((r/f'metrics.json{t}').read_text())) for t in ('.earlier', '.earlier2', '')] == [2, 1, 1]
    assert all((r/f).exists() for f in ('config.json.earlier', 'config.json.earlier2', 'best.pt.earlier', 'best.pt.earlier2'))

def test_a_bare_resume_keeps_tf32_and_the_loop(data_dir, tmp_path, capsys):
    "--tf32 and --fast are how the run computes, not what: a bare --resume goes on with them, says so, and config.json keeps them."
    r = tmp_path/'r'
    where = ['--device', 'cpu', '--no-progress', '--data', data_dir, '--out', r]
    assert train_here('--preset', 'p-1h', '--sizes', '784,16,10', '--T', 4, '--K', 2, '--limit-train', 100, '--limit-test', 60, '--tf32',
                      '--fast', 'eager', '--epochs', 1, *where) == (0, '')
    capsys.readouterr()
    assert train_here('--resume', '--epochs', 2, *where) == (0, '')
    err = capsys.readouterr().err
    assert err.rstrip().endswith('--epochs 2 --limit-train 100 --limit-test 60 --tf32 --fast eager'), err   # the note names them
    assert 'ran with' not in err, err                                                  # no change of loop to note (it was dropped: fast off)
    conf = json.loads((r/'config.json').read_text())
    assert (conf['tf32'], conf['fast']) == (True, 'eager')
    conf['fast'] = 'graph'; (r/'config.json').write_text(json.dumps(conf))              # a loop this machine cannot run: said, and auto instead
    assert train_here('--resume', '--epochs', 3, *where) == (0, '')
    assert f'note: {r} trained with --fast graph, which needs CUDA; here it goes on with --fast auto' in capsys.readouterr().err

def test_a_second_angle_sweep_in_the_same_folder_is_refused(data_dir, tmp_path):
    "Two sweeps in one folder each read angles.json once and wrote it over the other's rows: the second is refused while the first runs."
    from eqprop_nb.angles import angle_sweep
    s = tmp_path/'s'; s.mkdir()
    (s/'.angles.json.tmp999').write_text('{')                          # what a sweep killed while writing angles.json leaves
    kw = dict(data=data_dir, device='cpu', out=s, measure_on=20, limit_train=100, limit_test=60, verbose=False, epochs=1,
              sizes=[784, 16, 10], T=4, K=2)
    fd = os.open(s, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)                     # the folder as a live sweep holds it
    try:
        with pytest.raises(RuntimeError, match='is in use: another angle sweep is running there now; wait for it to end'): angle_sweep([0], **kw)
    finally: os.close(fd)
    assert [r['init_angle'] for r in angle_sweep([0], **kw)] == [0.0]
    assert not (s/'.angles.json.tmp999').exists() and json.loads((s/'angles.json').read_text())['rows'][0]['init_angle'] == 0.0

def test_a_failed_write_of_the_settings_says_what_to_do(data_dir, tmp_path):
    "A config.json that cannot be written (here a folder in its place; a full disk alike) is said with the file and the way on, not as a bare OSError."
    r = tmp_path/'r'; (r/'config.json').mkdir(parents=True)
    rc, err = train_here('--preset', 'p-1h', '--sizes', '784,16,10', '--limit-train', 100, '--limit-test', 60, '--epochs', 1,
                         '--device', 'cpu', '--no-progress', '--data', data_dir, '--out', r)
    assert rc == 1 and err.startswith(f'eqprop_train: error: could not write config.json in {r} (') and err.endswith(
        'make room (or mend the folder) and run the command again'), err

def test_flags_given_on_a_bare_resume_win_over_the_saved_ones(data_dir, tmp_path):
    "--fast, --tf32 and the ConvNet's layout given with a bare --resume are this command's: they win over those the run saved."
    r = tmp_path/'r'
    where = ['--device', 'cpu', '--no-progress', '--data', data_dir, '--out', r]
    assert train_here('--preset', 'p-conv', '--T', 3, '--K', 2, '--limit-train', 40, '--limit-test', 40, '--fast', 'eager', '--epochs', 1, *where) == (0, '')
    assert train_here('--resume', '--epochs', 2, '--fast', 'off', '--tf32', '--channels-last', *where) == (0, '')
    conf = json.loads((r/'config.json').read_text())
    assert (conf['fast'], conf['tf32'], conf['layout']) == ('off', True, {'channels_last': True}), conf

def test_a_resume_over_the_same_epochs_says_nothing_of_the_schedule(data_dir, tmp_path, capsys):
    "A cosine run cut short and resumed with the --epochs it was started with stays on its curve: no note of the schedule moving."
    r = tmp_path/'r'
    small = ['--preset', 'p-1h', '--sizes', '784,16,10', '--T', 4, '--K', 2, '--schedule', 'cosine', '--device', 'cpu',
             '--limit-train', 100, '--limit-test', 100, '--no-progress', '--data', data_dir, '--out', r]
    assert train_here(*small, '--epochs', 1) == (0, '')
    conf = json.loads((r/'config.json').read_text())
    (r/'config.json').write_text(json.dumps(conf | dict(epochs=2)))    # what a run started with --epochs 2 and cut after its first leaves
    capsys.readouterr()
    assert train_here(*small, '--epochs', 2, '--resume') == (0, '')
    err = capsys.readouterr().err
    assert 'schedule' not in err and len(json.loads((r/'metrics.json').read_text())) == 2, err
