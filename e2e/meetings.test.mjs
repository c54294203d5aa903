// Journey "Meetings": the chair creates next year's video conference
// series, a member answers the next meeting's invitation and subscribes
// to the calendar, a reader sees the meeting without its video link, the
// chair records attendance with the quorum and calls off a planned
// meeting. axe-core (WCAG 2.1 A/AA) runs on every page visited.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertErrorSummary, checkA11y, flashText, launchBrowser, signIn, startPortal, withPage,
} from './helpers.mjs';

const CHAIR = 'vorsitz@kog.example';
const MEMBER = 'mitglied@kog.example';
const READER = 'leser@kog.example';
const DEMO_VIDEO_HOST = 'konferenz.fitko.example';

let portal;
let browser;
let nextMeetingPath; // /sitzungen/<id> of the next (invited) meeting

before(async () => {
  [portal, browser] = await Promise.all([startPortal(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await portal?.stop();
});

async function h1(page) {
  return (await page.getByRole('heading', { level: 1 }).innerText()).trim();
}

// submit clicks a submit button and waits for the page the POST leads to.
async function submit(page, buttonName, postPath) {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && (!postPath || new URL(r.url()).pathname === postPath)),
    page.getByRole('button', { name: buttonName, exact: true }).click(),
  ]);
  await page.waitForLoadState('load');
  return res;
}

function unfold(ics) {
  return ics.replace(/\r?\n[ \t]/g, '');
}

describe('Sitzungen', () => {
  test('Vorsitz legt die Sitzungsreihe des nächsten Jahres an', async () => {
    await withPage(browser, portal, 'meetings-series', async (page) => {
      await signIn(page, portal, CHAIR, '/sitzungen');
      assert.equal(await h1(page), 'Kommende Sitzungen');
      await checkA11y(page, '/sitzungen (Vorsitz)');

      await page.getByRole('link', { name: 'Sitzungsreihe anlegen' }).click();
      await page.waitForURL((u) => u.pathname === '/sitzungsreihen/neu');
      assert.equal(await h1(page), 'Sitzungsreihe anlegen');
      await checkA11y(page, '/sitzungsreihen/neu');

      const nextYear = String(Number(new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', year: 'numeric' }).format(new Date())) + 1);
      assert.equal(await page.getByLabel('Jahr').inputValue(), nextYear, 'Formular schlägt das nächste Jahr vor');
      await page.getByLabel('Titel').fill('KoG-Videokonferenz Test');
      await page.getByLabel('Welcher im Monat').selectOption({ label: '1.' });
      await page.getByLabel('Wochentag').selectOption({ label: 'Donnerstag' });
      await page.getByLabel('Beginn (Uhrzeit, Berlin)').fill('09:00');
      await page.getByLabel('Ende (Uhrzeit, Berlin)').fill('10:00');
      await page.getByLabel('Videolink').fill('https://meet.example/kog-test');
      const res = await submit(page, 'Reihe anlegen', '/sitzungsreihen');
      assert.equal(res.status(), 303);
      assert.equal(new URL(page.url()).pathname, '/sitzungen');
      assert.match(await flashText(page), new RegExp(`^12 Videokonferenzen für ${nextYear} sind angelegt`));
      await checkA11y(page, '/sitzungen (Reihe angelegt)');

      // Page 2 of the upcoming list reaches into next year's series.
      await page.goto('/sitzungen?seite=2');
      assert.match(await page.locator('main .meeting-list').innerText(), /KoG-Videokonferenz Test/);
    });
  });

  test('Mitglied sagt für die nächste Sitzung zu und abonniert den Kalender', async () => {
    await withPage(browser, portal, 'meetings-member', async (page) => {
      await signIn(page, portal, MEMBER, '/');
      const next = page.locator('main section', { has: page.getByRole('heading', { name: 'Nächste Sitzung' }) });
      assert.equal(await next.count(), 1, 'Startseite zeigt „Nächste Sitzung“');
      assert.equal(await next.getByRole('link', { name: 'Videokonferenz beitreten' }).count(), 1);
      assert.match(await next.getByRole('link', { name: 'Videokonferenz beitreten' }).getAttribute('href'), new RegExp(DEMO_VIDEO_HOST));

      await next.locator('a[href^="/sitzungen/"]').first().click();
      await page.waitForURL((u) => /^\/sitzungen\/\d+$/.test(u.pathname));
      nextMeetingPath = new URL(page.url()).pathname;
      assert.match(await page.locator('main dl').innerText(), /eingeladen/);
      assert.equal(await page.getByRole('link', { name: 'Videokonferenz beitreten' }).count(), 1);
      await checkA11y(page, `${nextMeetingPath} (Mitglied)`);

      // Saving without a choice is refused; the summary leads to the radios.
      // (The seed has Max answer already; clear the choice like a member who
      // has not answered yet.)
      await page.locator('input[name="answer"]').evaluateAll((rs) => rs.forEach((r) => { r.checked = false; }));
      const refused = await submit(page, 'Antwort speichern', `${nextMeetingPath}/anmeldung`);
      assert.equal(refused.status(), 422);
      assert.deepEqual(await assertErrorSummary(page), ['Bitte wählen Sie: nimmt teil, entschuldigt oder vertreten.']);
      await checkA11y(page, `${nextMeetingPath}/anmeldung (ohne Wahl)`);

      // Represented by the deputy first …
      await page.getByLabel('Ich werde vertreten').check();
      await page.getByLabel('Vertreten durch').selectOption({ label: 'Sabine Sommer' });
      await submit(page, 'Antwort speichern', `${nextMeetingPath}/anmeldung`);
      assert.match(await flashText(page), /Ihre Antwort ist gespeichert: vertreten/);
      assert.match(await page.locator('#anmeldung').locator('..').innerText(), /Ihre Antwort: vertreten durch Sabine Sommer/);

      // … then attending after all.
      await page.getByLabel('Ich nehme teil').check();
      const res = await submit(page, 'Antwort speichern', `${nextMeetingPath}/anmeldung`);
      assert.equal(res.status(), 303);
      assert.equal(new URL(page.url()).pathname, nextMeetingPath);
      assert.match(await flashText(page), /Ihre Antwort ist gespeichert/);
      assert.match(await page.locator('#anmeldung').locator('..').innerText(), /Ihre Antwort: nimmt teil/);
      assert.equal(await page.getByLabel('Ich nehme teil').isChecked(), true);
      await checkA11y(page, `${nextMeetingPath} (Antwort gespeichert)`);

      // Personal calendar feed.
      await page.goto('/sitzungen');
      await submit(page, 'Kalender-Adresse erzeugen', '/kalender/abo');
      assert.equal(new URL(page.url()).pathname, '/sitzungen');
      const feedURL = await page.getByLabel('Abonnement-Adresse').inputValue();
      assert.match(feedURL, /^http:\/\/127\.0\.0\.1:\d+\/kalender\/[^/]+\.ics$/);
      await checkA11y(page, '/sitzungen (Kalender-Adresse)');

      const feed = await page.request.get(feedURL);
      assert.equal(feed.status(), 200);
      assert.match(feed.headers()['content-type'], /^text\/calendar/);
      const ics = unfold(await feed.text());
      assert.ok(ics.startsWith('BEGIN:VCALENDAR'), 'Feed beginnt mit BEGIN:VCALENDAR');
      assert.match(ics, /BEGIN:VTIMEZONE/);
      assert.match(ics, /TZID=Europe\/Berlin/);
      assert.match(ics, /meet\.example\/kog-test/, 'Mitglieder erhalten den Videolink der neuen Reihe');
    });
  });

  test('Leser/in sieht die Sitzung ohne Videolink', async () => {
    assert.ok(nextMeetingPath, 'Sitzung aus dem vorigen Schritt');
    await withPage(browser, portal, 'meetings-reader', async (page) => {
      await signIn(page, portal, READER, nextMeetingPath);
      assert.equal(await page.getByRole('link', { name: 'Videokonferenz beitreten' }).count(), 0);
      assert.ok(!(await page.content()).includes(DEMO_VIDEO_HOST), 'Videolink steht nicht im HTML');
      await checkA11y(page, `${nextMeetingPath} (Leser/in)`);

      // Nor in the meeting's calendar file.
      const ics = await page.request.get(`${nextMeetingPath}/kalender.ics`);
      assert.equal(ics.status(), 200);
      assert.ok(!(await ics.text()).includes(DEMO_VIDEO_HOST), 'Videolink steht nicht in der .ics-Datei');

      // Nor on the start page.
      await page.goto('/');
      assert.ok(!(await page.content()).includes(DEMO_VIDEO_HOST), 'Videolink nicht auf der Startseite');
    });
  });

  test('Vorsitz erfasst die Anwesenheit und stellt die Beschlussfähigkeit fest', async () => {
    assert.ok(nextMeetingPath, 'Sitzung aus dem vorigen Schritt');
    await withPage(browser, portal, 'meetings-attendance', async (page) => {
      await signIn(page, portal, CHAIR, nextMeetingPath);
      await page.getByRole('link', { name: 'Anwesenheit erfassen' }).click();
      await page.waitForURL((u) => u.pathname === `${nextMeetingPath}/anwesenheit`);
      assert.equal(await h1(page), 'Anwesenheit erfassen');
      await checkA11y(page, `${nextMeetingPath}/anwesenheit`);

      // Pre-filled from the answers: the member said yes a moment ago.
      assert.equal(await page.getByLabel('Anwesenheit Max Mertens').inputValue(), 'anwesend');

      const selects = page.locator('select[name^="presence_"]');
      const n = await selects.count();
      assert.ok(n >= 14, `eine Auswahl je Sitz (${n})`);
      const excused = ['Anwesenheit Jan Jansen', 'Anwesenheit Eva Engel'];
      for (let i = 0; i < n; i++) {
        const label = await selects.nth(i).getAttribute('aria-label');
        await selects.nth(i).selectOption(excused.includes(label) ? 'entschuldigt' : 'anwesend');
      }
      const res = await submit(page, 'Anwesenheit speichern und Beschlussfähigkeit feststellen', `${nextMeetingPath}/anwesenheit`);
      assert.equal(res.status(), 303);
      assert.equal(new URL(page.url()).pathname, nextMeetingPath);
      const quorum = page.locator('main section', { has: page.getByRole('heading', { name: 'Beschlussfähigkeit' }) });
      assert.match(await quorum.innerText(), /Beschlussfähigkeit festgestellt\./);
      assert.match(await quorum.innerText(), /12 von 14 stimmberechtigten Sitzen/);
      const list = page.locator('main section', { has: page.getByRole('heading', { name: 'Teilnehmerliste' }) });
      assert.equal(await list.count(), 1, 'Abschnitt Teilnehmerliste');
      assert.match(await list.locator('tr', { hasText: 'Jan Jansen' }).innerText(), /entschuldigt/);
      assert.match(await list.locator('tr', { hasText: 'Max Mertens' }).innerText(), /anwesend/);
      await checkA11y(page, `${nextMeetingPath} (Anwesenheit erfasst)`);
    });
  });

  test('Vorsitz sagt eine geplante Sitzung ab', async () => {
    await withPage(browser, portal, 'meetings-cancel', async (page) => {
      await signIn(page, portal, CHAIR, '/sitzungen');
      const planned = page.locator('main .meeting-list li', { has: page.locator('.kern-badge', { hasText: /^geplant$/ }) }).first();
      assert.equal(await planned.count(), 1, 'eine geplante Sitzung in der Liste');
      const title = (await planned.getByRole('heading').innerText()).trim();
      await planned.getByRole('link').first().click();
      await page.waitForURL((u) => /^\/sitzungen\/\d+$/.test(u.pathname));
      const path = new URL(page.url()).pathname;
      assert.equal(await h1(page), title);
      assert.match(await page.locator('main dl').innerText(), /geplant/);

      // Without a reason the cancellation is refused with a German message.
      const refused = await submit(page, 'Sitzung absagen', `${path}/absagen`);
      assert.equal(refused.status(), 422);
      assert.match(await page.locator('main').innerText(), /Bitte nennen Sie den Grund der Absage/);
      await checkA11y(page, `${path}/absagen (ohne Grund)`);
      await page.goto(path);
      assert.match(await page.locator('main dl').innerText(), /geplant/, 'nicht abgesagt');

      await page.getByLabel('Grund der Absage').fill('Terminkonflikt');
      const res = await submit(page, 'Sitzung absagen', `${path}/absagen`);
      assert.equal(res.status(), 303);
      assert.equal(new URL(page.url()).pathname, path);
      const alert = page.locator('main .kern-alert--danger');
      assert.match(await alert.innerText(), /Diese Sitzung ist abgesagt/);
      assert.match(await alert.innerText(), /Grund: Terminkonflikt/);
      assert.equal(await page.getByRole('link', { name: 'Videokonferenz beitreten' }).count(), 0, 'kein Beitritt zu abgesagten Sitzungen');
      assert.equal(await page.getByRole('button', { name: 'Sitzung absagen' }).count(), 0, 'nicht zweimal absagen');
      await checkA11y(page, `${path} (abgesagt)`);

      // The calendar file marks it cancelled.
      const ics = await page.request.get(`${path}/kalender.ics`);
      assert.match(await ics.text(), /STATUS:CANCELLED/);
    });
  });
});
