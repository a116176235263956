#!/usr/bin/env node
// Opens a primbench HTML page in a real headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core from reports/web) and checks
// what a person would see:
//   - the page loads with no console error, no uncaught exception and no
//     network request (everything it needs is inside the file);
//   - every chart container holds a drawn chart: an ECharts instance with at
//     least one series with data, on a canvas of non-zero size;
//   - given texts are on the page as text, and given globals were never set
//     (a hostile string in the results must render, not run);
//   - folded as it opens, the page is at most --max-height PX tall; opened
//     (every <details>), each chart is drawn with at most --max-series lines;
//   - with --first-section ID: the page opens on that section, inside the
//     first screen, its tables filled, and every link in it leads to a row
//     that exists; following one (folded or not) brings its row into view;
// and writes screenshots for a person to look at: the full page opened, its
// first screen as it opens, and each section (SCREENSHOT-sections/ID.png).
//
// Usage: node scripts/html_check.mjs PAGE.html SCREENSHOT.png
//            [--charts N] [--text TEXT]... [--no-global NAME]... [--first-section ID]
//            [--max-height PX] [--max-series N]
// Prints one JSON line (what it found) and each failed check on stderr.
// Exit status: 0 all checks passed, 1 a check failed, 77 it cannot run here
// (no Chromium, and it could not be installed): the caller skips.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const CHROMIUM = process.env.PRIMBENCH_CHROMIUM || '/usr/bin/chromium';
const SKIP = 77;

function parseArgs(argv) {
  const args = {
    page: null, screenshot: null, charts: null, texts: [], globals: [], firstSection: null, maxHeight: null, maxSeries: null,
  };
  const positional = [];
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--charts') args.charts = Number(argv[++i]);
    else if (a === '--text') args.texts.push(argv[++i]);
    else if (a === '--no-global') args.globals.push(argv[++i]);
    else if (a === '--first-section') args.firstSection = argv[++i];
    else if (a === '--max-height') args.maxHeight = Number(argv[++i]);
    else if (a === '--max-series') args.maxSeries = Number(argv[++i]);
    else positional.push(a);
  }
  const incomplete = args.texts.includes(undefined) || args.globals.includes(undefined) || Number.isNaN(args.charts);
  if (positional.length !== 2 || incomplete) {
    console.error('usage: html_check.mjs PAGE.html SCREENSHOT.png [--charts N] [--text TEXT]... [--no-global NAME]... ' +
      '[--first-section ID] [--max-height PX] [--max-series N]');
    process.exit(2);
  }
  [args.page, args.screenshot] = positional.map((p) => path.resolve(p));
  return args;
}

// Debian's chromium, installed here when missing and we are root (CI is; the
// project's scripts/install_deps.sh --test installs it too).
function ensureChromium() {
  if (existsSync(CHROMIUM)) return null;
  if (process.getuid && process.getuid() !== 0) return `${CHROMIUM} is missing and installing it needs root`;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'],
    { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let result = install();
  if (result.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { env, stdio: 'ignore' });
    result = install();
  }
  if (existsSync(CHROMIUM)) return null;
  return `${CHROMIUM} is missing and apt-get could not install it: ${String(result.stderr || result.error).trim()}`;
}

// What the page shows, measured inside it.
function inspectPage(globals) {
  const charts = [...document.querySelectorAll('.chart-canvas')].map((container) => {
    const title = container.parentElement.querySelector('h4')?.textContent ?? '';
    const instance = window.echarts && echarts.getInstanceByDom(container);
    const canvas = container.querySelector('canvas');
    const series = instance ? instance.getOption().series || [] : [];
    return {
      title,
      kind: container.dataset.chart,
      instance: Boolean(instance),
      series: series.length,
      seriesWithData: series.filter((s) => Array.isArray(s.data) && s.data.length > 0).length,
      canvasWidth: canvas ? canvas.width : 0,
      canvasHeight: canvas ? canvas.height : 0,
    };
  });
  return {
    title: document.title,
    text: document.body.innerText,
    charts,
    setGlobals: globals.filter((name) => window[name] !== undefined),
    images: [...document.images].map((img) => ({ complete: img.complete, width: img.naturalWidth })),
  };
}

// The first section as a person meets it: where it starts, its filled and
// empty cells, and its links with whether their targets exist.
function inspectFirstSection() {
  const section = document.querySelector('section');
  if (!section) return null;
  const cells = [...section.querySelectorAll('td')];
  const links = [...section.querySelectorAll('a[href^="#"]')].map((a) => ({
    href: a.getAttribute('href'),
    found: Boolean(document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)))),
  }));
  return {
    id: section.id,
    top: section.getBoundingClientRect().top,
    screen: window.innerHeight,
    filledCells: cells.filter((c) => c.textContent.trim() && c.textContent.trim() !== '—').length,
    links,
  };
}

// Follows a link of the first section whose target is folded away (else the
// first link) and says whether the target row ended up open and on screen.
async function followLink(page) {
  const href = await page.evaluate(() => {
    const links = [...document.querySelector('section').querySelectorAll('a[href^="#"]')].filter((a) => a.offsetParent !== null);
    const folded = links.find((a) => {
      const target = document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)));
      return target && target.closest('details:not([open])');
    });
    return (folded || links[0])?.getAttribute('href') ?? null;
  });
  if (!href) return { href, visible: false };
  await page.click(`section a[href="${href.replace(/"/g, '\\"')}"]`);
  await page.waitForTimeout(100);
  const visible = await page.evaluate((id) => {
    const target = document.getElementById(id);
    if (!target || target.offsetParent === null) return false;
    const box = target.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  }, decodeURIComponent(href.slice(1)));
  return { href, visible };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const skipReason = ensureChromium();
  if (skipReason) {
    console.log(JSON.stringify({ skipped: skipReason }));
    process.exit(SKIP);
  }
  const require = createRequire(new URL('../reports/web/package.json', import.meta.url));
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch (e) {
    console.error(`html_check: playwright-core is not installed: run npm ci --prefix reports/web (${e.message})`);
    process.exit(1);
  }

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container needs --no-sandbox; the rest keep Chromium from
    // reaching out to Google's services on a machine with no network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
  });
  const failures = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const console_ = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console_.push(`${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => failures.push(`uncaught exception: ${e.message}`));
    const pageUrl = pathToFileURL(args.page).href;
    const requests = [];
    page.on('request', (r) => {
      const url = r.url();
      if (url !== pageUrl && !url.startsWith('data:')) requests.push(url);
    });

    const started = Date.now();
    await page.goto(pageUrl, { waitUntil: 'load' });
    await page.waitForTimeout(200);  // let ECharts finish its first frame
    const loadMs = Date.now() - started;
    await page.screenshot({ path: args.screenshot.replace(/\.png$/, '') + '-first-screen.png' });
    const foldedHeight = await page.evaluate(() => document.documentElement.scrollHeight);
    if (args.maxHeight !== null && foldedHeight > args.maxHeight) {
      failures.push(`the page is ${foldedHeight} px tall folded, more than ${args.maxHeight}`);
    }
    let first = null;
    let followed = null;
    if (args.firstSection !== null) {
      first = await page.evaluate(inspectFirstSection);
      if (!first || first.id !== args.firstSection) {
        failures.push(`the page opens on section ${JSON.stringify(first && first.id)}, not ${args.firstSection}`);
      } else {
        if (first.top >= first.screen) failures.push(`section ${first.id} starts below the first screen (${first.top} px)`);
        if (first.filledCells === 0) failures.push(`section ${first.id} has no filled cell`);
        if (first.links.length === 0) failures.push(`section ${first.id} links to no detail`);
        for (const l of first.links.filter((x) => !x.found)) failures.push(`link ${l.href} leads nowhere`);
        followed = await followLink(page);
        if (!followed.visible) failures.push(`following ${followed.href} did not bring its row into view`);
      }
    }
    // A person opens what is folded: every chart must then be drawn.
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
    await page.waitForTimeout(300);
    const seen = await page.evaluate(inspectPage, args.globals);
    await page.screenshot({ path: args.screenshot, fullPage: true });
    const sectionDir = args.screenshot.replace(/\.png$/, '') + '-sections';
    const ids = await page.evaluate(() => [...document.querySelectorAll('section[id]')].map((s) => s.id));
    for (const id of ids) {
      await page.locator(`section[id="${id}"]`).screenshot({ path: path.join(sectionDir, `${id.replace(/[^A-Za-z0-9_-]/g, '_')}.png`) });
    }

    for (const line of console_) failures.push(`console ${line}`);
    for (const url of requests) failures.push(`network request to ${url}`);
    for (const name of seen.setGlobals) failures.push(`window.${name} was set: a string from the data ran as code`);
    for (const text of args.texts) {
      if (!seen.text.includes(text)) failures.push(`text not on the page: ${JSON.stringify(text)}`);
    }
    if (args.charts !== null && seen.charts.length !== args.charts) {
      failures.push(`expected ${args.charts} charts, found ${seen.charts.length}`);
    }
    for (const c of seen.charts) {
      if (!c.instance) failures.push(`chart "${c.title}": no ECharts instance`);
      else if (c.seriesWithData === 0) failures.push(`chart "${c.title}": no series with data`);
      if (c.canvasWidth === 0 || c.canvasHeight === 0) failures.push(`chart "${c.title}": canvas is ${c.canvasWidth}x${c.canvasHeight}`);
      if (args.maxSeries !== null && c.series > args.maxSeries) failures.push(`chart "${c.title}": ${c.series} series`);
    }
    for (const img of seen.images) {
      if (!img.complete || img.width === 0) failures.push('an image did not load');
    }
    console.log(JSON.stringify({
      page: args.page, screenshot: args.screenshot, title: seen.title, load_ms: loadMs, folded_height: foldedHeight,
      charts: seen.charts.map((c) => `${c.kind}: ${c.title} (${c.series} series, ${c.canvasWidth}x${c.canvasHeight})`),
      first_section: first && { id: first.id, top: first.top, filled_cells: first.filledCells, links: first.links.length },
      followed,
      failures,
    }));
  } finally {
    await browser.close();
  }
  for (const f of failures) console.error(`html_check: ${f}`);
  process.exit(failures.length ? 1 : 0);
}

main().catch((e) => {
  console.error(`html_check: ${e.stack || e}`);
  process.exit(1);
});
