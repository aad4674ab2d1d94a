"""The README's Python quickstart, run as a reader would paste it: every ```python block of its 'Quickstart in Python'
section, in order, in one fresh interpreter, with EQPROP_DATA (where it says MNIST is read from) set to the data here, and its loops
(left as comments, since they need batches) run over two batches of real MNIST, each of which must move every weight. The run's
checkpoint, read back as the README shows, must score on the test set what the run recorded."""
import os, re, subprocess, sys
from conftest import ROOT

def quickstart_blocks() -> list[str]:
    text = (ROOT/'README.md').read_text()
    section = text.split('\n## Quickstart in Python\n', 1)[1].split('\n## ', 1)[0]
    return re.findall(r'```python\n(.*?)```', section, re.S)

LOOP = re.compile(r'^# (for x, labels in batches:[^#\n]*?)(\s+#.*)?$', re.M)   # the loop, and its own comment

def test_readme_quickstart_runs(data_dir, tmp_path):
    blocks = quickstart_blocks()
    assert len(blocks) == 4, f'the quickstart has {len(blocks)} python blocks; this test expects 4: update it with the README'
    code = '\n'.join(blocks)
    assert code.count("train('ep17-1h', out=") == 1 and "data='" not in code.replace("(or data='DIR')", '') and len(LOOP.findall(code)) == 2
    code = LOOP.sub(lambda m: '_w = [p.detach().clone() for p in net.parameters()]\n' + m[1] + '; print("stepped")' + (m[2] or '') +
                    '\nprint("moved" if all(not torch.equal(a, p) for a, p in zip(_w, net.parameters())) else "some weights did not move")', code)
    batches = ("from eqprop_nb.data import mnist\n"
               f"x, y = mnist({str(data_dir)!r}, limit=40)\n"
               "batches = [(x[:20], y[:20]), (x[20:], y[20:])]\n")
    p = subprocess.run([sys.executable, '-c', batches + code], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                       env=dict(os.environ, EQPROP_DATA=str(data_dir)))
    assert p.returncode == 0, p.stderr[-3000:]
    lines = [l for l in p.stdout.split('\n') if not l.startswith('epoch ')]      # train's own line per epoch
    test_error = float(lines[0])                            # the README's first print
    assert 0 < test_error < 0.2, f'ep17-1h, 2 epochs on 5,000 images: test error {test_error}'
    read_back = re.fullmatch(r'(\S+) tensor\(\[(\d), (\d), (\d), (\d), (\d)\]\)', lines[1])   # the weights read back from checkpoint.pt
    assert read_back and float(read_back[1]) == test_error, f'checkpoint.pt read back: {lines[1]!r}, the run recorded {test_error}'
    assert lines.count('stepped') == 4                     # both loops ran over both batches
    assert lines.count('moved') == 2, lines                 # and each changed every parameter of its network
    assert re.fullmatch(r'\[4[45](\.\d+)?\]', lines[-2]), f'C-VF started 45° from Wᵀ; the README prints {lines[-2]!r}'
    assert (tmp_path/'runs'/'quick'/'checkpoint.pt').exists()
