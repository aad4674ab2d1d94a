#!/usr/bin/env python3
"""Check that every link inside the built site resolves: each relative href or src of each page (and each page named in
search.json and sitemap.xml) names a file of the site, and its #fragment an id on that page. Links to the site's own
address (nbdev writes its links to a symbol's documentation that way) count as inside it.

Usage: site_links.py DOCS_DIR SITE_URL. Prints one line per broken link; exits 1 if there is any, or if no link was read."""
import json, re, sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

class Page(HTMLParser):
    def __init__(self, text):
        super().__init__(); self.ids, self.links = set(), []
        self.feed(text)
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get('id'): self.ids.add(a['id'])
        if tag == 'a' and a.get('name'): self.ids.add(a['name'])
        for k in ('href', 'src'):
            if a.get(k): self.links.append(a[k])

def main(docs: Path, site: str):
    site = site.rstrip('/') + '/'
    pages = {p: Page(p.read_text(errors='replace')) for p in docs.rglob('*.html')}
    refs = [(p, link) for p, page in pages.items() for link in page.links]
    if (docs/'search.json').exists(): refs += [(docs/'search.json', e['href']) for e in json.loads((docs/'search.json').read_text())]
    if (docs/'sitemap.xml').exists(): refs += [(docs/'sitemap.xml', l) for l in re.findall(r'<loc>(.*?)</loc>', (docs/'sitemap.xml').read_text())]
    bad, n = [], 0
    for src, link in refs:
        if link.startswith(site): link = link[len(site):] or 'index.html'
        u = urlsplit(link)
        if u.scheme or link.startswith('//'): continue          # another site (a CDN, GitHub): not this check's
        n += 1
        target = (src.parent / unquote(u.path)).resolve() if u.path else src
        if not target.is_file(): bad.append(f'{src.name}: {link} (no such file)')
        elif not target.is_relative_to(docs): bad.append(f'{src.name}: {link} (outside the site)')
        elif u.fragment and target.suffix == '.html' and unquote(u.fragment) not in pages[target].ids:
            bad.append(f'{src.name}: {link} (no id {unquote(u.fragment)!r} on {target.name})')
    for b in bad: print(b)
    print(f'{n} links inside the site, {len(bad)} broken')
    return 1 if bad or not n else 0

if __name__ == '__main__': sys.exit(main(Path(sys.argv[1]).resolve(), sys.argv[2]))
