"""The package as `pip install` gives it: build a wheel, install it into a clean virtual environment, use it; the source
distribution holds what setup.py needs and the package, not the repository's tests (they need its notebooks, .ci and
conftest.py, which it does not ship); the metadata says what settings.ini says."""
import configparser, shutil, subprocess, sys, sysconfig, tarfile, zipfile, venv
from email.parser import Parser
from pathlib import Path
import pytest
from conftest import ROOT

@pytest.fixture(scope='module')
def wheel(tmp_path_factory):
    d = tmp_path_factory.mktemp('dist')
    r = subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '-q', '-w', str(d), str(ROOT)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    (w,) = d.glob('eqprop_nb-*.whl')
    return w

def test_wheel_contents(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for mod in ['data', 'energy', 'ep', 'discrete', 'bptt', 'cnn', 'theorem', 'speed', 'train', 'vf', 'continual', 'angles', 'fast', 'cli', '_modidx', '__init__']:
        assert f'eqprop_nb/{mod}.py' in names
    meta = Parser().parsestr(zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith('METADATA'))).decode())
    reqs = ' '.join(meta.get_all('Requires-Dist'))
    for pkg in ['torch', 'torchvision', 'fastcore', 'matplotlib', 'tqdm']: assert pkg in reqs
    assert (meta['License'], [c for c in meta.get_all('Classifier') if c.startswith('License ::')]) == ('Apache-2.0', [])   # SPDX, no deprecated classifier
    ep = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith('entry_points.txt'))).decode()
    for cmd in ['eqprop_train = eqprop_nb.cli:train_cli', 'eqprop_angles = eqprop_nb.cli:angles_cli', 'eqprop_bench = eqprop_nb.cli:bench_cli', 'eqprop_runs = eqprop_nb.cli:runs_cli']: assert cmd in ep

def test_installed_wheel_runs(wheel, tmp_path, data_dir):
    env_dir = tmp_path/'venv'
    venv.create(env_dir, with_pip=True)
    py = env_dir/'bin'/'python'
    r = subprocess.run([str(py), '-m', 'pip', 'install', '-q', '--no-deps', '--no-index', str(wheel)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    # the heavy dependencies (torch, ...) come from the test environment, after the new environment's own packages
    site = Path(subprocess.check_output([str(py), '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], text=True).strip())
    (site/'zz_deps.pth').write_text(sysconfig.get_paths()['purelib'] + '\n')
    where = subprocess.run([str(py), '-c', 'import eqprop_nb; print(eqprop_nb.__file__, eqprop_nb.__version__)'],
                           capture_output=True, text=True, cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert where.stdout.startswith(str(env_dir)), where.stdout       # the wheel's copy, not the checkout
    r = subprocess.run([str(env_dir/'bin'/'eqprop_train'), '--data', str(data_dir), '--out', str(tmp_path/'run'), '--device', 'cpu',
                        '--epochs', '1', '--limit-train', '400', '--limit-test', '200', '--sizes', '784,50,10', '--no-progress'],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert 'final test error' in r.stdout and (tmp_path/'run'/'metrics.json').exists()

def settings() -> configparser.SectionProxy:
    cfg = configparser.ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini', encoding='utf-8')
    return cfg['DEFAULT']

def test_sdist_holds_the_package_and_what_setup_needs_not_the_tests(tmp_path):
    src = tmp_path/'src'                       # a copy, so that the build's egg-info is not written into the checkout
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns('.venv', '.git', 'runs', '_docs', '_proc', '*.egg-info', '__pycache__'))
    r = subprocess.run([sys.executable, 'setup.py', '-q', 'sdist', '-d', str(tmp_path/'dist')], cwd=src, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    (sdist,) = (tmp_path/'dist').glob('*.tar.gz')
    top = f"{settings()['lib_name']}-{settings()['version']}/"
    names = {n[len(top):] for n in tarfile.open(sdist).getnames() if n.startswith(top)}
    modules = {f'eqprop_nb/{p.name}' for p in (ROOT/'eqprop_nb').glob('*.py')}
    assert {'setup.py', 'settings.ini', 'README.md', 'LICENSE'} <= names, names
    assert modules <= names, sorted(modules - names)
    assert not [n for n in names if n.split('/')[0] in ('tests', 'nbs', '.ci', 'runs', '_docs') or n.endswith(('.ipynb', '.pt'))], sorted(names)

def test_classifiers_say_what_settings_say():
    r = subprocess.run([sys.executable, 'setup.py', '--classifiers'], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    status = [l for l in r.stdout.splitlines() if l.startswith('Development Status :: ')]
    assert len(status) == 1 and status[0].startswith(f"Development Status :: {settings()['status']} - "), status   # 3: '3 - Alpha'
    minor = settings()['min_python']
    assert f'Programming Language :: Python :: {minor}' in r.stdout.splitlines(), r.stdout
