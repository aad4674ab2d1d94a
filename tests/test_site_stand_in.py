"""The finishing step of the Quarto stand-in (.ci/bin/quarto), on a small made-up site: pages renamed to nbdev's
`output-file` names, the references to them rewritten in links, search.json and the sitemap (and nowhere else),
links to the site's own address made relative, markdown links in a signature's comments made links, citation keys
linked to the References; and .ci/site_links.py, which CI runs on the real site, passing it and failing a broken one."""
import json, re, subprocess, sys
from importlib.machinery import SourceFileLoader
from importlib.util import module_from_spec, spec_from_loader
from conftest import ROOT

def stand_in():
    loader = SourceFileLoader('quarto_stand_in', str(ROOT/'.ci'/'bin'/'quarto'))
    mod = module_from_spec(spec_from_loader(loader.name, loader)); loader.exec_module(mod)
    return mod

SITE = 'https://example.org/lib'
PAGE = f"""<html><head><title>Training [E19]</title></head><body>
<a href="03_train.html#fit">fit</a> <a href="{SITE}/train.html#fit">abs</a> <a href="{SITE}/nowhere.html">gone</a>
<p>The page 03_train.html is named in prose. As in [E19, Eq. 3] and [CEP20]; <a href="index.html">[E19]</a>.</p>
<pre><span class="co"># see [`fit`]({SITE}/train.html#fit)</span></pre><h3 id="fit">fit</h3>
<span class="math inline">\\(x_{{[E19]}}<span>[E19]</span>\\)</span> <img alt="a > b [E19]" src="f.png"> <script>if (a<b) c = '[E19]';</script><script>n = 1; // [E19]</script>
<!-- [E19] --> After [E19]. <a href="missing.html">m</a></body></html>"""

def make_site(tmp_path):
    nb = lambda name: json.dumps({'cells': [{'cell_type': 'raw', 'source': [f'---\noutput-file: {name}\ntitle: x\n---\n']}]})
    (tmp_path/'03_train.ipynb').write_text(nb('train.html')); (tmp_path/'index.ipynb').write_text(nb('index.html'))
    (tmp_path/'nbdev.yml').write_text(f'project:\n  output-dir: _docs\nwebsite:\n  site-url: "{SITE}"\n')
    out = tmp_path/'_docs'; out.mkdir()
    (out/'03_train.html').write_text(PAGE)
    (out/'index.html').write_text('<section id="references"><a href="03_train.html">train</a></section>')
    (out/'search.json').write_text(json.dumps([{'objectID': '03_train.html', 'href': '03_train.html#fit', 'text': 'see 03_train.html'}]))
    (out/'sitemap.xml').write_text(f'<urlset><url><loc>{SITE}/03_train.html</loc></url></urlset>')
    return out

def test_finish_site(tmp_path, monkeypatch):
    out = make_site(tmp_path); monkeypatch.chdir(tmp_path)
    stand_in().finish_site(out)
    assert sorted(p.name for p in out.glob('*.html')) == ['index.html', 'train.html']
    page = (out/'train.html').read_text()
    assert '<a href="train.html#fit">fit</a> <a href="train.html#fit">abs</a>' in page       # renamed; made relative
    assert f'<a href="{SITE}/nowhere.html">gone</a>' in page                                     # not here: left as it was
    assert 'The page 03_train.html is named in prose.' in page                                    # prose is not a link
    assert '<span class="co"># see <a href="train.html#fit">fit</a></span>' in page
    assert ('As in [<a href="index.html#references">E19</a>, Eq. 3] and [<a href="index.html#references">CEP20</a>];'
            ' <a href="index.html">[E19]</a>.') in page                                          # not inside a link
    assert '<title>Training [E19]</title>' in page
    assert ('<span class="math inline">\\(x_{[E19]}<span>[E19]</span>\\)</span> <img alt="a > b [E19]" src="f.png"> '
            "<script>if (a<b) c = '[E19]';</script><script>n = 1; // [E19]</script>\n<!-- [E19] --> After [<a href=\"index.html#references\">E19</a>].") in page
    assert '<a href="train.html">train</a>' in (out/'index.html').read_text()
    assert json.loads((out/'search.json').read_text()) == [{'objectID': 'train.html', 'href': 'train.html#fit', 'text': 'see 03_train.html'}]
    assert f'<loc>{SITE}/train.html</loc>' in (out/'sitemap.xml').read_text()                    # the sitemap stays absolute

def test_site_links(tmp_path, monkeypatch):
    out = make_site(tmp_path); monkeypatch.chdir(tmp_path)
    check = lambda: subprocess.run([sys.executable, str(ROOT/'.ci'/'site_links.py'), str(out), SITE], capture_output=True, text=True)
    (out/'f.png').write_bytes(b'png')
    r = check()                                                      # before finishing: the links name train.html, not yet there
    assert r.returncode == 1 and '03_train.html: train.html#fit (no such file)' in r.stdout, r.stdout
    stand_in().finish_site(out)
    r = check()                                                      # a missing page, by the site's address and relative
    assert r.returncode == 1 and r.stdout.splitlines()[:2] == ['train.html: nowhere.html (no such file)', 'train.html: missing.html (no such file)']
    assert r.stdout.endswith(' links inside the site, 2 broken\n'), r.stdout
    (out/'train.html').write_text(re.sub(r'<a href="[^"]*(nowhere|missing).html">\w+</a>', '', (out/'train.html').read_text()))
    r = check(); assert r.returncode == 0, r.stdout
    (out/'train.html').write_text((out/'train.html').read_text().replace('train.html#fit">fit', 'train.html#fot">fit'))
    r = check(); assert r.returncode == 1 and "no id 'fot' on train.html" in r.stdout
