// Browser journeys through the portal with every demo account: sign-in by
// the real OpenID Connect code flow against the built-in development
// provider, the pages each role reaches, sign-out through the provider's
// end_session endpoint, and axe-core (WCAG 2.1 A/AA) on every page visited.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkA11y, launchBrowser, startPortal, withPage } from './helpers.mjs';

const ACCOUNTS = [
  { email: 'admin@kog.example', label: 'Administration', admin: true },
  { email: 'vorsitz@kog.example', label: 'Vorsitz/Geschäftsstelle' },
  { email: 'mitglied@kog.example', label: 'Mitglied' },
  { email: 'leser@kog.example', label: 'Leser/in (Kommune)' },
];

let portal;
let browser;

before(async () => {
  [portal, browser] = await Promise.all([startPortal(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await portal?.stop();
});

// visit loads path, expects the status and a first-level heading, and runs axe.
async function visit(page, path, { status = 200, heading } = {}) {
  const res = await page.goto(path);
  assert.equal(res.status(), status, `Status von ${path}`);
  if (heading !== undefined) {
    await assertHeading(page, heading);
  }
  await checkA11y(page, path);
  return res;
}

async function assertHeading(page, heading) {
  const h1 = page.getByRole('heading', { level: 1 });
  assert.equal(await h1.count(), 1, `genau eine h1 auf ${page.url()}`);
  const text = (await h1.innerText()).trim();
  if (heading instanceof RegExp) {
    assert.match(text, heading);
  } else {
    assert.equal(text, heading);
  }
}

function userBox(page) {
  return page.locator('header .site-header__user');
}

async function assertSignedOut(page) {
  await assertHeaderLink(page, 'Anmelden');
  assert.equal(await userBox(page).getByText('Angemeldet als').count(), 0, 'nicht mehr angemeldet');
}

async function assertHeaderLink(page, name) {
  const link = page.locator('header').getByRole('link', { name, exact: true });
  assert.equal(await link.count(), 1, `Kopfzeile bietet „${name}“`);
  assert.ok(await link.isVisible(), `„${name}“ sichtbar`);
  return link;
}

async function assertSignedInAs(page, label) {
  const box = userBox(page);
  assert.match(await box.innerText(), /Angemeldet als/);
  assert.equal((await box.locator('.kern-badge').innerText()).trim(), label, 'Rollen-Badge');
  assert.equal(await page.locator('header').getByRole('button', { name: 'Abmelden' }).count(), 1);
}

describe('Journeys der Demo-Konten', () => {
  for (const acc of ACCOUNTS) {
    test(`${acc.email}: anmelden, Seiten der Rolle, abmelden`, async () => {
      await withPage(browser, portal, `journey-${acc.email}`, async (page) => {
        // Start page, not signed in.
        await visit(page, '/', { heading: 'Willkommen im KoG-Portal' });
        await assertSignedOut(page);

        // "Anmelden" in the header leads to the development sign-in page.
        await (await assertHeaderLink(page, 'Anmelden')).click();
        await page.waitForURL((u) => u.pathname === '/auth/login');
        await assertHeading(page, 'Anmelden');
        assert.equal(await page.locator('.login-accounts li').count(), ACCOUNTS.length, 'ein Knopf je Demo-Konto');
        await checkA11y(page, `Anmeldeseite (${acc.email})`);

        // The account's button runs the code flow through the provider.
        const button = page.locator('.login-accounts li', { hasText: acc.email }).getByRole('link');
        assert.match(await button.innerText(), new RegExp(acc.label.replace(/[()/]/g, '\\$&')));
        await button.click();
        await page.waitForURL((u) => u.origin === portal.baseURL && u.pathname === '/');
        await assertSignedInAs(page, acc.label);
        await assertHeading(page, 'Willkommen im KoG-Portal');
        assert.match(await page.locator('main').innerText(), /Sie sind angemeldet als/);
        await checkA11y(page, `Startseite (${acc.email})`);

        await visit(page, '/gremium', { heading: 'Das Kommunalgremium' });
        await visit(page, '/organisationen/1', { heading: /FITKO/ });
        await assertSignedInAs(page, acc.label);

        if (acc.admin) {
          await visit(page, '/admin/benutzer', { heading: 'Benutzerverwaltung' });
          await visit(page, '/admin/audit', { heading: 'Sicherheitsprotokoll' });
          const events = await page.locator('main table tbody').innerText();
          assert.match(events, /Anmeldung/, 'Audit-Log nennt die Anmeldung');
          await visit(page, '/admin/benutzer/1');
          await assertHeading(page, /\S/);
          assert.match(await page.locator('main').innerText(), /Anmeldeverlauf/);
        } else {
          await visit(page, '/admin/benutzer', { status: 403, heading: 'Keine Berechtigung' });
          await visit(page, '/admin/audit', { status: 403, heading: 'Keine Berechtigung' });
        }

        // Sign-out: portal session ends, provider's end_session, back to /.
        await page.locator('header').getByRole('button', { name: 'Abmelden' }).click();
        await page.waitForURL((u) => u.origin === portal.baseURL && u.pathname === '/');
        await assertSignedOut(page);
        const main = await page.locator('main').innerText();
        assert.ok(/Sie sind abgemeldet/.test(main) || /Willkommen im KoG-Portal/.test(main),
          'nach dem Abmelden: Hinweis oder Startseite');

        // The session is really gone: a protected page asks for sign-in.
        await page.goto('/admin/benutzer');
        assert.equal(new URL(page.url()).pathname, '/auth/login');
      });
    });
  }
});

describe('Anmeldung per Adresse (login_hint)', () => {
  test('führt ohne Klick zur angefragten Seite', async () => {
    await withPage(browser, portal, 'login-hint', async (page) => {
      await page.goto('/auth/login?login_hint=mitglied@kog.example&next=/gremium');
      await page.waitForURL((u) => u.origin === portal.baseURL && u.pathname === '/gremium');
      await assertSignedInAs(page, 'Mitglied');
      await assertHeading(page, 'Das Kommunalgremium');
      await checkA11y(page, '/gremium nach login_hint');
    });
  });

  test('ein Hinweis, der keine E-Mail-Adresse ist, endet auf einer deutschen Fehlerseite', async () => {
    // The development provider signs in any e-mail address as a new account
    // and answers everything else with login_required.
    await withPage(browser, portal, 'login-hint-invalid', async (page) => {
      await page.goto('/auth/login?login_hint=kein-konto');
      await page.waitForURL((u) => u.origin === portal.baseURL && u.pathname === '/auth/callback');
      await assertHeading(page, 'Anmeldung fehlgeschlagen');
      await assertSignedOut(page);
      await checkA11y(page, 'Anmeldung fehlgeschlagen');
    });
  });
});

describe('Öffentliche Seiten', () => {
  test('404-Seite', async () => {
    await withPage(browser, portal, '404', async (page) => {
      await visit(page, '/gibt-es-nicht', { status: 404, heading: 'Seite nicht gefunden' });
    });
  });

  for (const [path, heading] of [
    ['/impressum', /Impressum/],
    ['/datenschutz', /Datenschutz/],
    ['/barrierefreiheit', /Barrierefreiheit/],
  ]) {
    test(path, async () => {
      await withPage(browser, portal, path, async (page) => {
        await visit(page, path, { heading });
      });
    });
  }

  test('Sprunglink ist das erste fokussierbare Element', async () => {
    await withPage(browser, portal, 'skip-link', async (page) => {
      await page.goto('/');
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => ({
        text: document.activeElement?.textContent?.trim(),
        href: document.activeElement?.getAttribute('href'),
        visible: (() => {
          const r = document.activeElement?.getBoundingClientRect();
          return !!r && r.bottom > 0 && r.right > 0 && r.top < window.innerHeight;
        })(),
      }));
      assert.equal(focused.text, 'Zum Inhalt springen');
      assert.equal(focused.href, '#inhalt');
      assert.ok(focused.visible, 'Sprunglink wird bei Fokus sichtbar');
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'inhalt', 'Fokus springt in den Inhalt');
    });
  });
});

describe('Umbruch bei 320 CSS-Pixeln (WCAG 1.4.10)', () => {
  // Wide tables scroll inside their own region; the page itself must not
  // scroll sideways. axe runs at this width too (scrollable regions).
  test('keine waagerechte Seitenleiste, axe ohne Befund', async () => {
    await withPage(browser, portal, 'reflow-320', async (page) => {
      await page.setViewportSize({ width: 320, height: 640 });
      const check = async (path) => {
        await page.goto(path);
        const [scroll, client] = await page.evaluate(() =>
          [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
        assert.ok(scroll <= client, `${path}: Seite ${scroll}px breit bei ${client}px Fenster`);
        await checkA11y(page, `${path} (320 px)`);
      };
      await check('/auth/login');
      await page.goto('/auth/login?login_hint=admin@kog.example&next=/');
      await page.waitForURL((u) => u.origin === portal.baseURL && u.pathname === '/');
      for (const path of ['/', '/gremium', '/admin/benutzer', '/admin/audit']) {
        await check(path);
      }
    });
  });
});
