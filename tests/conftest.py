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
