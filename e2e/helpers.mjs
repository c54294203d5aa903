// Shared harness for the browser tests: starts bin/kog on a free loopback
// port with a fresh data directory, launches Debian's Chromium through
// playwright-core and checks pages with axe-core.
//
// Run with `make test-e2e` (builds bin/kog first) or `node --test e2e/`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const artifactsDir = path.join(repoRoot, 'e2e', 'artifacts');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

// ---------------------------------------------------------------- ports

function listenOnce(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(null));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const p = srv.address().port;
      srv.close(() => resolve(p));
    });
  });
}

// freePortPair returns a port P such that P and P+1 are both free on
// 127.0.0.1: the portal listens on P, its development OpenID provider on P+1.
export async function freePortPair() {
  for (let i = 0; i < 50; i++) {
    const p = await listenOnce(0);
    if (p && p < 65535 && (await listenOnce(p + 1))) {
      return p;
    }
  }
  throw new Error('kein freies Portpaar gefunden');
}

// ---------------------------------------------------------------- portal

const children = new Set();
const tempDirs = new Set();

function killGroup(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the whole process group
  } catch {
    try { child.kill(signal); } catch { /* already gone */ }
  }
}

// Last line of defence: whatever happens to the test process, the portal it
// started does not outlive it.
process.on('exit', () => {
  for (const c of children) killGroup(c, 'SIGKILL');
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => process.exit(128 + os.constants.signals[sig]));
}

// setpriv --pdeathsig makes the kernel kill the portal when this process
// dies, even by SIGKILL, where no exit handler runs.
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
function pdeathsigWorks() {
  if (!SETPRIV) return false;
  const r = spawnSync(SETPRIV, ['--pdeathsig', 'SIGKILL', '--', 'true'], { stdio: 'ignore' });
  return r.status === 0;
}

async function waitReady(base, child, logs, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`bin/kog ist beendet (code ${child.exitCode}, signal ${child.signalCode}):\n${logs.join('')}`);
    }
    try {
      const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2000) });
      const body = await res.json().catch(() => ({}));
      if (res.ok && body.status === 'ok') return body;
      last = `${res.status} ${JSON.stringify(body)}`;
    } catch (err) {
      last = String(err.cause?.code || err.message);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`/readyz nicht bereit nach ${timeoutMs} ms (zuletzt: ${last}):\n${logs.join('')}`);
}

// startPortal runs bin/kog in development mode on a free port with a fresh
// data directory and resolves once /readyz says {"status":"ok"}.
export async function startPortal({ timeoutMs = 30000 } = {}) {
  // KOG_BIN runs another build (e.g. of a clean checkout) than bin/kog.
  const bin = process.env.KOG_BIN ? path.resolve(process.env.KOG_BIN) : path.join(repoRoot, 'bin', 'kog');
  if (!existsSync(bin)) {
    throw new Error(`${bin} fehlt – erst "make build" ausführen`);
  }
  const port = await freePortPair();
  const baseURL = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kog-e2e-'));
  tempDirs.add(dataDir);
  const env = {
    ...process.env,
    KOG_ENV: 'development',
    KOG_ADDR: `127.0.0.1:${port}`,
    KOG_BASE_URL: baseURL,
    KOG_DATA_DIR: dataDir,
    KOG_LOG_LEVEL: process.env.KOG_LOG_LEVEL || 'info',
  };
  // Settings of a developer's shell must not point the portal elsewhere.
  for (const k of ['KOG_DATABASE_URL', 'KOG_OIDC_ISSUER', 'KOG_OIDC_CLIENT_ID', 'KOG_OIDC_CLIENT_SECRET', 'KOG_SESSION_SECRET']) {
    delete env[k];
  }
  const [cmd, args] = pdeathsigWorks() ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', bin]] : [bin, []];
  // cwd is the temp dir, not the repository: in development the portal
  // would otherwise read views/ from disk instead of the templates built
  // into bin/kog, and test a mix of old code and new templates.
  const child = spawn(cmd, args, { cwd: dataDir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const logs = [];
  const keep = (chunk) => {
    logs.push(chunk.toString());
    if (logs.length > 2000) logs.splice(0, logs.length - 2000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  exited.then(() => children.delete(child));

  const portal = {
    baseURL,
    port,
    dataDir,
    logs,
    url: (p) => new URL(p, baseURL).toString(),
    saveLog(name = 'server.log') {
      mkdirSync(artifactsDir, { recursive: true });
      writeFileSync(path.join(artifactsDir, name), logs.join(''));
    },
    async stop() {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
      tempDirs.delete(dataDir);
    },
  };
  try {
    await waitReady(baseURL, child, logs, timeoutMs);
  } catch (err) {
    await portal.stop();
    throw err;
  }
  return portal;
}

// ---------------------------------------------------------------- browser

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} fehlt – "apt-get install chromium" (siehe .ci/run)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// newPage opens a page in a fresh context (own cookies) and records what
// the browser complains about: script errors and CSP violations.
export async function newPage(browser, portal) {
  const context = await browser.newContext({ baseURL: portal.baseURL, locale: 'de-DE' });
  context.setDefaultTimeout(10000);
  context.setDefaultNavigationTimeout(15000);
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (err) => page.problems.push(`Skriptfehler: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content.Security.Policy|Refused to/i.test(msg.text())) {
      page.problems.push(`CSP: ${msg.text()}`);
    }
  });
  return page;
}

export function safeName(name) {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 100) || 'page';
}

// withPage runs fn with a fresh page; on failure it leaves a screenshot and
// the page's HTML in e2e/artifacts/ and the portal's log next to them.
export async function withPage(browser, portal, name, fn) {
  const page = await newPage(browser, portal);
  try {
    await fn(page);
    assert.deepEqual(page.problems, [], `Browser meldet Probleme auf ${page.url()}`);
  } catch (err) {
    try {
      mkdirSync(artifactsDir, { recursive: true });
      const base = path.join(artifactsDir, safeName(name));
      await page.screenshot({ path: `${base}.png`, fullPage: true });
      writeFileSync(`${base}.html`, `<!-- ${page.url()} -->\n${await page.content()}`);
      portal.saveLog();
      err.message += `\n  (Bildschirmfoto: ${path.relative(repoRoot, base)}.png, Seite: ${page.url()})`;
    } catch { /* the page may already be gone */ }
    throw err;
  } finally {
    await page.context().close();
  }
}

// ---------------------------------------------------------------- axe

function formatViolations(violations) {
  return violations.map((v) => {
    const nodes = v.nodes.map((n) => {
      const why = (n.failureSummary || '').split('\n').slice(1).map((s) => s.trim()).filter(Boolean).join('; ');
      return `      - ${n.target.join(' ')}${why ? `: ${why}` : ''}`;
    });
    return `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes.join('\n')}`;
  }).join('\n');
}

// checkA11y runs axe-core with the WCAG 2.1 A/AA rules on the current page
// and fails, listing every violation with its nodes, if there is any.
//
// Legacy mode runs axe.run() inside the page; the default finishes each run
// in an extra blank tab, which takes twice as long. It covers the page and
// its same-origin frames; the portal embeds no cross-origin frames.
export async function checkA11y(page, name) {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).setLegacyMode(true).analyze();
  if (results.violations.length > 0) {
    assert.fail(`axe: ${results.violations.length} Verstoß/Verstöße auf "${name}" (${page.url()}):\n${formatViolations(results.violations)}`);
  }
  return results;
}

// ---------------------------------------------------------------- journeys

// signIn signs the page's context in as email through the development
// provider's login_hint (no click) and waits until the portal shows next.
export async function signIn(page, portal, email, next = '/') {
  await page.goto(`/auth/login?login_hint=${encodeURIComponent(email)}&next=${encodeURIComponent(next)}`);
  const want = new URL(next, portal.baseURL).pathname;
  await page.waitForURL((u) => u.origin === portal.baseURL && u.pathname === want);
}

// flashText is the text of the success message on the page ('' if none).
export async function flashText(page) {
  const alert = page.locator('main .kern-alert--success');
  return (await alert.count()) ? (await alert.first().innerText()).trim() : '';
}

// roleBadge is the role label in the header of a signed-in page.
export async function roleBadge(page) {
  return (await page.locator('header .site-header__user .kern-badge').innerText()).trim();
}

// assertErrorSummary checks the German error summary of a form shown again
// with errors: its title, and that each of its links leads to an element
// that exists on the page (the field to correct). Returns the messages.
export async function assertErrorSummary(page) {
  const summary = page.locator('main .kern-alert--danger');
  assert.equal(await summary.count(), 1, 'Fehlerzusammenfassung vorhanden');
  assert.match(await summary.innerText(), /Bitte korrigieren Sie Ihre Angaben/);
  const links = await summary.getByRole('link').evaluateAll((as) => as.map((a) => ({
    text: a.textContent.trim(), target: a.getAttribute('href').slice(1),
  })));
  assert.ok(links.length > 0, 'mindestens ein Fehler verlinkt');
  for (const { text, target } of links) {
    const found = await page.evaluate((id) => document.getElementById(id) !== null, target);
    assert.ok(found, `Link „${text}“ führt zu #${target}, das es auf der Seite nicht gibt`);
  }
  return links.map((l) => l.text);
}

// Shared steps of the journeys.

export async function h1(page) {
  return (await page.getByRole('heading', { level: 1 }).innerText()).trim();
}
// submit clicks a submit button and waits for the page the POST leads to.
export async function submit(scope, page, buttonName, postPath) {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && (!postPath || new URL(r.url()).pathname === postPath)),
    scope.getByRole('button', { name: buttonName, exact: true }).click(),
  ]);
  await page.waitForLoadState('load');
  return res;
}
// visit loads path, expects the status and runs axe.
export async function visit(page, p, name, status = 200) {
  const res = await page.goto(p);
  assert.equal(res.status(), status, `Status von ${p}`);
  await checkA11y(page, name || p);
  return res;
}
// berlinDate is the calendar day (YYYY-MM-DD) in Berlin, days from today.
export function berlinDate(days) {
  const d = new Date(Date.now() + days * 24 * 3600 * 1000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}
