// Render every page of a built docs site as a reader's browser does (KaTeX's auto-render over the page body, with the
// delimiters and options of site_libs/smalldocs.js), and fail if a formula does not parse or maths is left as raw text.
// The page renders with throwOnError false, which shows a broken formula in red and says nothing, so each formula is
// parsed a second time with throwOnError true here. Needs katex and jsdom (NODE_PATH pointing at their node_modules).
// usage: node .ci/katex_check.js SITE_DIR      prints one line per page, then `N formulas, N errors`; exits 1 on any error
const fs = require('fs'), path = require('path');
const { JSDOM } = require('jsdom');
const katex = require('katex');
const found = [];
const render = katex.render;
katex.render = (tex, el, opts) => {                   // auto-render calls this once per formula
  try { katex.renderToString(tex, { ...opts, throwOnError: true }); }
  catch (e) { found.push(`formula does not parse: ${e.message.split('\n')[0]}  in  ${tex.slice(0, 160)}`); }
  return render(tex, el, opts);
};
const renderMathInElement = require('katex/contrib/auto-render');
const options = {
  delimiters: [{ left: '\\[', right: '\\]', display: true }, { left: '\\(', right: '\\)', display: false }],
  throwOnError: false,
};
const raw = /\\\(|\\\)|\\\[|\\\]|\$[^$\s][^$]*\$|\\(frac|partial|sum|mathrm|mathbf|top|odot|beta|rho)\b/;   // maths nobody rendered

const site = process.argv[2];
if (!site || !fs.existsSync(site)) { console.error(`usage: node katex_check.js SITE_DIR (no such folder: ${site})`); process.exit(2); }
const pages = fs.readdirSync(site).filter(f => f.endsWith('.html')).sort();
if (!pages.length) { console.error(`no .html pages in ${site}`); process.exit(2); }
let formulas = 0, errors = 0;
for (const page of pages) {
  const dom = new JSDOM(fs.readFileSync(path.join(site, page), 'utf8'));
  const { document, Node, NodeFilter } = dom.window;
  global.Node = Node; global.document = document;      // auto-render reads both as globals
  found.length = 0;
  (renderMathInElement.default || renderMathInElement)(document.body, options);
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let t; (t = walk.nextNode());) {
    if (t.parentElement.closest('code, pre, script, style, textarea, .katex, .katex-error')) continue;   // errors: reported above
    const m = t.textContent.match(raw);
    if (m) found.push(`maths left as text: ${JSON.stringify(t.textContent.slice(Math.max(0, m.index - 40), m.index + 80))}`);
  }
  const n = document.body.querySelectorAll('.katex').length;
  formulas += n; errors += found.length;
  console.log(`${page}: ${n} formulas${found.length ? `, ${found.length} errors` : ''}`);
  for (const e of found) console.log(`  ${e}`);
}
console.log(`${formulas} formulas, ${errors} errors`);
process.exit(errors ? 1 : 0);
