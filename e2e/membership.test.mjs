// Journey "Committee membership": the chair invites people into the
// committee (a guest and a deputy), the invited people sign in for the
// first time and get the role their term grants, the roster, a person's
// profile and an organisation's history show the result. axe-core
// (WCAG 2.1 A/AA) runs on every page, error states included.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertErrorSummary, checkA11y, flashText, launchBrowser, roleBadge, signIn, startPortal, withPage,
} from './helpers.mjs';

const CHAIR = 'vorsitz@kog.example';

let portal;
let browser;

before(async () => {
  [portal, browser] = await Promise.all([startPortal(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await portal?.stop();
});

// todayBerlin is the calendar day in Berlin as <input type="date"> wants it.
function todayBerlin() {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin' }).format(new Date());
}

async function h1(page) {
  return (await page.getByRole('heading', { level: 1 }).innerText()).trim();
}

// rosterRow is the row of /gremium for one organisation.
function rosterRow(page, orgName) {
  return page.locator('main table tbody tr', { has: page.getByRole('link', { name: orgName, exact: true }) });
}

// openInviteForm goes from /gremium to the invitation form by its button.
async function openInviteForm(page) {
  const res = await page.goto('/gremium');
  assert.equal(res.status(), 200);
  await page.getByRole('link', { name: 'Person einladen' }).click();
  await page.waitForURL((u) => u.pathname === '/personen/neu');
  assert.equal(await h1(page), 'Person einladen');
}

// submitInvite fills the invitation form and submits it; returns the
// response of the POST.
async function submitInvite(page, { name, email, position, org, role, deputyFor, voting = false, start }) {
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('E-Mail-Adresse').fill(email);
  if (position !== undefined) await page.getByLabel(/^Funktion/).fill(position);
  if (org) await page.getByLabel('Sitzt für').selectOption({ label: org });
  if (role) await page.getByLabel('Rolle im Gremium').selectOption({ label: role });
  if (deputyFor) await page.getByLabel(/^Vertritt/).selectOption({ label: deputyFor });
  await page.getByLabel(/^Stimmberechtigt/).setChecked(voting);
  if (start) await page.getByLabel('Beginn').fill(start);
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/personen'),
    page.getByRole('button', { name: 'Einladen' }).click(),
  ]);
  await page.waitForLoadState('load');
  return res;
}

describe('Mitgliedschaft im Gremium', () => {
  test('Vorsitz lädt einen Gast ein; der Gast meldet sich zum ersten Mal an', async () => {
    await withPage(browser, portal, 'membership-guest', async (page) => {
      await signIn(page, portal, CHAIR, '/gremium');
      assert.equal(await h1(page), 'Das Kommunalgremium');
      await checkA11y(page, '/gremium (Vorsitz)');

      await openInviteForm(page);
      await checkA11y(page, '/personen/neu');

      // First try: no name, an address that is none → 422 with a summary.
      const bad = await submitInvite(page, { name: '', email: 'keine-adresse', role: 'Gast', org: 'Stadt Paderborn' });
      assert.equal(bad.status(), 422, 'fehlerhafte Angaben → 422');
      const messages = await assertErrorSummary(page);
      assert.equal(messages.length, 2, 'je Fehler ein Link in der Zusammenfassung');
      assert.equal(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid'), 'true');
      assert.equal(await page.getByLabel('E-Mail-Adresse').getAttribute('aria-invalid'), 'true');
      assert.equal(await page.getByLabel('E-Mail-Adresse').inputValue(), 'keine-adresse', 'Eingabe bleibt erhalten');
      await checkA11y(page, '/personen (Fehlerzustand)');

      // KGSt's two seats are taken; a guest needs no seat: Stadt Paderborn.
      const ok = await submitInvite(page, {
        name: 'Nora Neumann', email: 'n.neumann@kaiseresch.example', position: 'Digitallotsin',
        org: 'Stadt Paderborn', role: 'Gast',
      });
      assert.equal(ok.status(), 303, 'Einladung leitet weiter');
      assert.match(new URL(page.url()).pathname, /^\/personen\/\d+$/);
      assert.equal(await h1(page), 'Nora Neumann');
      assert.match(await flashText(page), /ist eingeladen/);
      const terms = await page.locator('main table tbody').innerText();
      assert.match(terms, /Stadt Paderborn/);
      assert.match(terms, /Gast/);
      assert.match(await page.locator('main dl').innerText(), /eingeladen, noch nicht angemeldet/);
      await checkA11y(page, '/personen/<Nora>');
    });

    // Nora's first sign-in, in a context of her own.
    await withPage(browser, portal, 'membership-guest-signin', async (page) => {
      await signIn(page, portal, 'n.neumann@kaiseresch.example', '/');
      const box = await page.locator('header .site-header__user').innerText();
      assert.match(box, /Angemeldet als/);
      // A guest term grants the reader role.
      assert.equal(await roleBadge(page), 'Leser/in (Kommune)');
      // The account is linked to the invited person: the profile is hers.
      await page.goto('/profil');
      assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Nora Neumann');
      assert.equal(await page.getByLabel(/^Funktion/).inputValue(), 'Digitallotsin');
      await checkA11y(page, '/profil (Gast)');
    });
  });

  // The development provider sends no name for an account it does not
  // know, so the name the chair entered with the invitation stays.
  test('Kopfzeile nennt nach der ersten Anmeldung den eingeladenen Namen', async () => {
    await withPage(browser, portal, 'membership-guest-name', async (page) => {
      await signIn(page, portal, 'n.neumann@kaiseresch.example', '/');
      assert.match(await page.locator('header .site-header__user strong').innerText(), /Nora Neumann/);
    });
  });

  test('Vorsitz lädt eine Stellvertretung ein; sie wird Mitglied und pflegt ihr Profil', async () => {
    await withPage(browser, portal, 'membership-deputy', async (page) => {
      await signIn(page, portal, CHAIR, '/gremium');
      await openInviteForm(page);
      // The form proposes today as start.
      assert.equal(await page.getByLabel('Beginn').inputValue(), todayBerlin());
      // A deputy without the member they stand in for is refused; the
      // summary links to the "Vertritt" field.
      const bad = await submitInvite(page, {
        name: 'Olaf Ort', email: 'o.ort@kaiseresch.example',
        org: 'Verbandsgemeindeverwaltung Kaiseresch', role: 'Stellvertretung',
      });
      assert.equal(bad.status(), 422);
      assert.deepEqual(await assertErrorSummary(page), ['Eine Stellvertretung braucht das Mitglied, das sie vertritt.']);
      assert.equal(await page.getByLabel(/^Vertritt/).getAttribute('aria-invalid'), 'true');
      await checkA11y(page, '/personen (Vertritt fehlt)');
      const res = await submitInvite(page, {
        name: 'Olaf Ort', email: 'o.ort@kaiseresch.example',
        org: 'Verbandsgemeindeverwaltung Kaiseresch', role: 'Stellvertretung',
        deputyFor: 'Bernd Becker (VG Kaiseresch)', start: todayBerlin(),
      });
      assert.equal(res.status(), 303, 'Einladung leitet weiter');
      assert.equal(await h1(page), 'Olaf Ort');
      assert.match(await flashText(page), /Olaf Ort ist eingeladen/);
      assert.match(await page.locator('main table tbody').innerText(), /vertritt Bernd Becker/);
      await checkA11y(page, '/personen/<Olaf>');
    });

    await withPage(browser, portal, 'membership-deputy-signin', async (page) => {
      await signIn(page, portal, 'o.ort@kaiseresch.example', '/');
      assert.match(await page.locator('header .site-header__user').innerText(), /Angemeldet als/);
      assert.equal(await roleBadge(page), 'Mitglied', 'Stellvertretungen erhalten die Rolle Mitglied');
      await checkA11y(page, '/ (Olaf)');

      await page.goto('/gremium');
      const row = rosterRow(page, 'Verbandsgemeindeverwaltung Kaiseresch');
      assert.equal(await row.count(), 1);
      const [seats, deputies] = await row.locator('td').allInnerTexts();
      assert.match(seats, /Bernd Becker/);
      assert.match(deputies, /Olaf Ort/, 'Spalte Stellvertretung nennt Olaf Ort');
      await checkA11y(page, '/gremium (Olaf)');

      // Profile: consent to show the e-mail address to committee members.
      await page.goto('/profil');
      assert.equal(await h1(page), 'Mein Profil');
      await checkA11y(page, '/profil (Olaf)');
      const consent = page.getByLabel(/^E-Mail-Adresse/);
      assert.equal(await consent.isChecked(), false, 'ohne Einwilligung nicht angehakt');
      await consent.check();
      await page.getByRole('button', { name: 'Profil speichern' }).click();
      await page.waitForURL((u) => u.pathname === '/profil');
      await page.waitForLoadState('load');
      assert.match(await flashText(page), /Ihr Profil ist gespeichert/);
      assert.equal(await page.getByLabel(/^E-Mail-Adresse/).isChecked(), true, 'Einwilligung gespeichert');
      await checkA11y(page, '/profil (gespeichert)');
    });

    // Another member now sees Olaf's address on the roster.
    await withPage(browser, portal, 'membership-consent-visible', async (page) => {
      await signIn(page, portal, 'mitglied@kog.example', '/gremium');
      const deputies = await rosterRow(page, 'Verbandsgemeindeverwaltung Kaiseresch').locator('td').nth(1).innerText();
      assert.match(deputies, /o\.ort@kaiseresch\.example/, 'freigegebene E-Mail-Adresse für Mitglieder sichtbar');
    });
  });

  test('Organisationsseite zeigt frühere Mitgliedschaften', async () => {
    await withPage(browser, portal, 'membership-history', async (page) => {
      await signIn(page, portal, CHAIR, '/gremium');
      await page.getByRole('link', { name: 'Landeshauptstadt Düsseldorf', exact: true }).click();
      await page.waitForURL((u) => /^\/organisationen\/\d+$/.test(u.pathname));
      assert.equal(await h1(page), 'Landeshauptstadt Düsseldorf');
      assert.match(await page.locator('main ul.kern-list').innerText(), /Petra Peters/, 'aktuelle Vertretung');
      const history = page.locator('main table', { has: page.locator('caption', { hasText: 'Frühere Mitgliedschaften' }) });
      const row = history.locator('tbody tr', { hasText: 'Klaus Keller' });
      assert.equal(await row.count(), 1, 'Historie nennt Klaus Keller');
      assert.match(await row.innerText(), /30\.06\.2024/);
      await checkA11y(page, '/organisationen/<Düsseldorf>');
    });
  });
});
