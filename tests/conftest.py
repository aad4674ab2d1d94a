import os, sys, subprocess
from pathlib import Path
import pytest
from eqprop_nb.data import shared_data_dir

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

@pytest.fixture(scope='session')
def data_dir():
    d = shared_data_dir()
    if d is None: pytest.fail('MNIST not found: set EQPROP_DATA or put ../shared/data beside the checkout')
    return d

def cli(*args, timeout=300, prog='eqprop_train', **kw):
    "Run an installed console script (`eqprop_train` by default); returns the CompletedProcess."
    return subprocess.run([str(BIN/prog), *map(str, args)], capture_output=True, text=True, timeout=timeout, **kw)

def train_here(*args):
    "`eqprop_train ARGS` in this process (no fresh import of torch): (0, '') if it ran, (1, message) if it refused."
    from eqprop_nb.train import main
    try: main([str(a) for a in args])
    except SystemExit as e: return 1, e.code
    return 0, ''
