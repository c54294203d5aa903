// Journey "Topic submissions and the chair's agenda builder": the chair
// plans a meeting, a member submits a topic with Markdown and a PDF, a
// member of another organisation co-signs and comments, the chair accepts
// the topic, builds the agenda (htmx reordering and the no-script
// fallback) and publishes it; a member reads agenda, PDF and print view; a
// reader sees neither the internal TOPs nor the topics. axe-core (WCAG 2.1
// A/AA) runs on every page visited.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  h1, submit, visit, berlinDate,
  assertErrorSummary, checkA11y, flashText, launchBrowser, signIn, startPortal, withPage,
} from './helpers.mjs';

const CHAIR = 'vorsitz@kog.example';
const MEMBER = 'mitglied@kog.example';
const COSIGNER = 'p.peters@duesseldorf.example';
const READER = 'leser@kog.example';

const MEETING_TITLE = 'Präsenzsitzung E2E';
const TOPIC_TITLE = 'E2E: Kommunale Nachnutzung von EfA-Diensten';
const DESCRIPTION = [
  'Wir möchten **fett** hervorheben, was fehlt:',
  '',
  '- Betriebsmodell',
  '- Kosten',
  '',
  '<script>alert(1)</script>',
].join('\n');
const GREETING = 'Begrüßung';
const REPORT = 'Bericht der Geschäftsstelle';

let portal;
let browser;
let tmp;
let meetingPath; // /sitzungen/<id> of the meeting made for this journey
let meetingID;
let topicPath; // /themen/<id> of the submitted topic

before(async () => {
  [portal, browser] = await Promise.all([startPortal(), launchBrowser()]);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'kog-e2e-upload-'));
});

after(async () => {
  await browser?.close();
  await portal?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});





// topButton matches a TOP's action button: "nach oben" plus the visually
// hidden ": TOP 03" (Chromium puts a space before the hidden part).
function topButton(action, number) {
  return new RegExp(`^${action}\\s*: TOP ${number}$`);
}

// agendaRows lists the TOPs as [number, title] in page order.
async function agendaRows(page) {
  return page.locator('#tagesordnung-liste tbody tr').evaluateAll((trs) => trs.map((tr) => {
    const cells = tr.querySelectorAll('td');
    const title = cells[1].querySelector('a')?.textContent ?? cells[1].childNodes[0]?.textContent ?? '';
    return [cells[0].textContent.trim(), title.trim()];
  }));
}

describe('Themen und Tagesordnung', () => {
  test('Vorsitz legt eine Präsenzsitzung an', async () => {
    await withPage(browser, portal, 'topics-meeting', async (page) => {
      await signIn(page, portal, CHAIR, '/sitzungen/neu');
      assert.equal(await h1(page), 'Sitzung anlegen');
      await checkA11y(page, '/sitzungen/neu');

      await page.getByRole('radio', { name: 'Präsenzsitzung' }).check();
      await page.getByLabel('Titel', { exact: true }).fill(MEETING_TITLE);
      await page.getByLabel('Datum', { exact: true }).fill(berlinDate(40));
      await page.getByLabel('Beginn (Uhrzeit, Berlin)').fill('10:00');
      await page.getByLabel('Ende (Uhrzeit, Berlin)').fill('15:00');
      await page.getByLabel('Ort (bei Präsenzsitzungen)').fill('Bonn');
      const res = await submit(page, page, 'Speichern', '/sitzungen');
      assert.equal(res.status(), 303);
      meetingPath = new URL(page.url()).pathname;
      assert.match(meetingPath, /^\/sitzungen\/\d+$/);
      meetingID = meetingPath.split('/').pop();
      assert.match(await h1(page), new RegExp(MEETING_TITLE));
      const facts = await page.locator('main dl').innerText();
      assert.match(facts, /geplant/);
      assert.match(facts, /Bonn/);
      await checkA11y(page, `${meetingPath} (neu)`);
    });
  });

  test('Mitglied meldet ein Thema mit Markdown und PDF an', async () => {
    assert.ok(meetingPath, 'Sitzung aus dem vorigen Schritt');
    await withPage(browser, portal, 'topics-submit', async (page) => {
      const dialogs = [];
      page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });

      await signIn(page, portal, MEMBER, '/themen');
      assert.equal(await h1(page), 'Themen');
      await checkA11y(page, '/themen (Mitglied)');

      await page.getByRole('link', { name: 'Thema anmelden' }).click();
      await page.waitForURL((u) => u.pathname === '/themen/neu');
      assert.equal(await h1(page), 'Thema anmelden');
      await checkA11y(page, '/themen/neu');

      // Without title, description and kind the form comes back with the
      // German summary; each of its links leads to the field.
      await page.locator('input[name="kind"]').evaluateAll((rs) => rs.forEach((r) => { r.checked = false; }));
      const refused = await submit(page, page, 'Thema einreichen', '/themen');
      assert.equal(refused.status(), 422);
      const errors = await assertErrorSummary(page);
      assert.ok(errors.includes('Bitte geben Sie dem Thema einen Titel.'), errors.join(' | '));
      assert.equal(errors.length, 3, errors.join(' | '));
      assert.equal(await page.getByLabel('Titel', { exact: true }).getAttribute('aria-invalid'), 'true');
      await checkA11y(page, '/themen (ohne Titel)');

      await page.getByLabel('Titel', { exact: true }).fill(TOPIC_TITLE);
      await page.getByLabel('Beschreibung', { exact: true }).fill(DESCRIPTION);
      await page.getByRole('radio', { name: 'zur Beratung' }).check();
      const desired = page.getByLabel('Gewünschte Sitzung');
      assert.match(await desired.locator(`option[value="${meetingID}"]`).innerText(), new RegExp(MEETING_TITLE));
      await desired.selectOption(meetingID);
      const pdf = path.join(tmp, 'vorlage.pdf');
      writeFileSync(pdf, '%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
      await page.getByLabel(/^Anhang/).setInputFiles(pdf);
      const res = await submit(page, page, 'Thema einreichen', '/themen');
      assert.equal(res.status(), 303);
      topicPath = new URL(page.url()).pathname;
      assert.match(topicPath, /^\/themen\/\d+$/);
      assert.match(await flashText(page), /Ihr Thema ist eingereicht/);
      assert.equal(await h1(page), TOPIC_TITLE);

      // Markdown is rendered; the script tag neither runs nor shows as a tag.
      const md = page.locator('main .markdown').first();
      const html = await md.innerHTML();
      assert.match(html, /<strong>fett<\/strong>/);
      assert.match(html, /<li>Betriebsmodell<\/li>/);
      assert.ok(!/<script/i.test(html), 'kein <script> im gerenderten HTML');
      assert.ok(!(await md.innerText()).includes('<script>'), 'kein <script> als Text');
      assert.equal(await page.locator('main script').count(), 0);
      assert.deepEqual(dialogs, [], 'kein Dialog');
      await checkA11y(page, `${topicPath} (eingereicht)`);

      // The attachment is listed and served as PDF to the same session.
      const link = page.locator('#anhaenge').getByRole('link', { name: 'vorlage.pdf' });
      assert.equal(await link.count(), 1, 'Anhang verlinkt');
      const file = await page.request.get(await link.getAttribute('href'));
      assert.equal(file.status(), 200);
      assert.match(file.headers()['content-type'], /^application\/pdf/);
      assert.ok((await file.body()).toString('latin1').startsWith('%PDF-'));

      // HTML dressed up as PDF is refused by content.
      const evil = path.join(tmp, 'evil.pdf');
      writeFileSync(evil, '<!doctype html><html><body><script>alert(1)</script></body></html>\n');
      const upload = page.locator(`form[action="${topicPath}/anhaenge"]`);
      await upload.locator('input[type="file"]').setInputFiles(evil);
      const bad = await submit(upload, page, 'Hochladen', `${topicPath}/anhaenge`);
      assert.equal(bad.status(), 422);
      const [msg] = await assertErrorSummary(page);
      assert.match(msg, /Erlaubt sind PDF/);
      const input = upload.locator('input[type="file"]');
      assert.equal(await input.getAttribute('aria-invalid'), 'true', 'Dateifeld als fehlerhaft markiert');
      assert.match(await page.locator(`#${await input.getAttribute('aria-describedby')}`).innerText(), /Erlaubt sind PDF/);
      assert.equal(await page.locator('#anhaenge').getByRole('link', { name: 'evil.pdf' }).count(), 0);
      await checkA11y(page, `${topicPath}/anhaenge (evil.pdf)`);
      assert.deepEqual(dialogs, [], 'kein Dialog');
    });
  });

  test('Mitglied einer anderen Organisation zeichnet mit und kommentiert', async () => {
    assert.ok(topicPath, 'Thema aus dem vorigen Schritt');
    await withPage(browser, portal, 'topics-cosign', async (page) => {
      await signIn(page, portal, COSIGNER, topicPath);
      assert.equal(await h1(page), TOPIC_TITLE);
      await checkA11y(page, `${topicPath} (Petra Peters)`);

      const res = await submit(page, page, 'Für meine Organisation mitzeichnen', `${topicPath}/mitzeichnen`);
      assert.equal(res.status(), 303);
      assert.match(await flashText(page), /mitgezeichnet/);
      const cosigned = page.locator('main dl div', { has: page.getByText('Mitgezeichnet von', { exact: true }) });
      assert.match(await cosigned.innerText(), /Landeshauptstadt Düsseldorf/);
      await checkA11y(page, `${topicPath} (mitgezeichnet)`);

      await page.getByLabel('Ihr Kommentar (Markdown)').fill('Düsseldorf unterstützt das, gern mit **Erfahrungsbericht**.');
      const c = await submit(page, page, 'Kommentieren', `${topicPath}/kommentare`);
      assert.equal(c.status(), 303);
      assert.match(await flashText(page), /Kommentar ist gespeichert/);
      const discussion = page.locator('main section', { has: page.getByRole('heading', { name: 'Diskussion' }) });
      const comment = discussion.locator('article.comment').last();
      assert.match(await comment.innerText(), /Petra Peters/);
      assert.match(await comment.innerHTML(), /<strong>Erfahrungsbericht<\/strong>/);
      await checkA11y(page, `${topicPath} (kommentiert)`);
    });
  });

  test('Vorsitz nimmt das Thema an, stellt die Tagesordnung auf und lädt ein', async () => {
    assert.ok(topicPath && meetingPath, 'Thema und Sitzung aus den vorigen Schritten');
    const agendaPath = `${meetingPath}/tagesordnung`;
    await withPage(browser, portal, 'topics-agenda', async (page) => {
      await signIn(page, portal, CHAIR, topicPath);
      await checkA11y(page, `${topicPath} (Vorsitz)`);
      const triage = page.locator('main section', { has: page.getByRole('heading', { name: 'Sichtung durch den Vorsitz' }) });
      await triage.getByLabel('annehmen für die Sitzung').check();
      await triage.getByLabel('Sitzung', { exact: true }).selectOption(meetingID);
      const res = await submit(triage, page, 'Entscheidung speichern', `${topicPath}/status`);
      assert.equal(res.status(), 303);
      assert.match(await flashText(page), /angenommen/);
      assert.equal((await page.locator('main .kern-badge').first().innerText()).trim(), 'angenommen');
      const accepted = page.locator('main dl div', { has: page.getByText('Angenommen für', { exact: true }) });
      assert.match(await accepted.innerText(), new RegExp(MEETING_TITLE));
      const history = page.locator('main section', { has: page.getByRole('heading', { name: 'Verlauf' }) });
      assert.match(await history.innerText(), /angenommen/);
      await checkA11y(page, `${topicPath} (angenommen)`);

      // The agenda builder.
      await visit(page, agendaPath, `${agendaPath} (Entwurf)`);
      assert.equal(await h1(page), 'Tagesordnung');
      const form = page.locator('main form', { has: page.getByRole('button', { name: 'Hinzufügen' }) });
      const add = async (fill) => {
        await fill();
        const r = await submit(form, page, 'Hinzufügen', agendaPath);
        assert.equal(r.status(), 303, 'TOP hinzugefügt');
        assert.match(await flashText(page), /Tagesordnungspunkt ist hinzugefügt/);
      };
      await add(async () => {
        await form.getByLabel('Titel (bei Themen optional)').fill(GREETING);
        await form.getByLabel('Kategorie').selectOption('A');
      });
      await add(async () => {
        const topicID = topicPath.split('/').pop();
        await form.getByLabel('Aus angenommenem Thema').selectOption(topicID);
        await form.getByLabel('Kategorie').selectOption('B');
        await form.getByLabel('Erwartetes Ergebnis').selectOption({ label: 'zur Beratung' });
      });
      assert.equal(await form.getByLabel('Aus angenommenem Thema').locator('option').count(), 1,
        'das Thema steht auf der Tagesordnung und wird nicht mehr angeboten');
      await add(async () => {
        await form.getByLabel('Titel (bei Themen optional)').fill(REPORT);
        await form.getByLabel('Kategorie').selectOption('B');
      });
      assert.deepEqual(await agendaRows(page), [['01', GREETING], ['02', TOPIC_TITLE], ['03', REPORT]]);
      assert.equal(await page.locator('#kat-B').innerText(), 'Kategorie B [Schwerpunktthemen]');
      await checkA11y(page, `${agendaPath} (drei TOPs)`);

      // Reorder with htmx: the list is swapped in place, no page load.
      const before = page.url();
      const [moved] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && /\/tagesordnung\/\d+\/hoch$/.test(new URL(r.url()).pathname)),
        page.getByRole('button', { name: topButton('nach oben', '03') }).click(),
      ]);
      assert.equal(moved.status(), 200);
      assert.equal(moved.request().headers()['hx-request'], 'true', 'htmx sendet die Anfrage');
      await page.waitForFunction((t) => [...document.querySelectorAll('#tagesordnung-liste tbody tr')]
        .some((tr) => tr.cells[0].textContent.trim() === '02' && tr.cells[1].textContent.includes(t)), REPORT);
      assert.equal(page.url(), before, 'keine Navigation');
      assert.deepEqual(await agendaRows(page), [['01', GREETING], ['02', REPORT], ['03', TOPIC_TITLE]]);
      assert.equal(await page.locator('#tagesordnung-liste').count(), 1, 'Liste nicht verschachtelt');
      await checkA11y(page, `${agendaPath} (nach htmx-Umsortierung)`);

      // Without script the same buttons are plain forms with a redirect.
      const noJS = await browser.newContext({ baseURL: portal.baseURL, locale: 'de-DE', javaScriptEnabled: false });
      try {
        noJS.setDefaultTimeout(10000);
        const p2 = await noJS.newPage();
        await signIn(p2, portal, CHAIR, agendaPath);
        assert.deepEqual(await agendaRows(p2), [['01', GREETING], ['02', REPORT], ['03', TOPIC_TITLE]]);
        const [r] = await Promise.all([
          p2.waitForResponse((x) => x.request().method() === 'POST' && /\/tagesordnung\/\d+\/runter$/.test(new URL(x.url()).pathname)),
          p2.getByRole('button', { name: topButton('nach unten', '02') }).click(),
        ]);
        assert.equal(r.status(), 303);
        assert.equal(r.request().headers()['hx-request'], undefined);
        await p2.waitForLoadState('load');
        assert.equal(new URL(p2.url()).pathname, agendaPath);
        assert.match(await flashText(p2), /Reihenfolge ist geändert/);
        assert.deepEqual(await agendaRows(p2), [['01', GREETING], ['02', TOPIC_TITLE], ['03', REPORT]]);
        // axe itself needs script (it hangs in this context); the page is
        // checked again below with script on.
      } finally {
        await noJS.close();
      }

      // Publish: the meeting is invited.
      await visit(page, agendaPath, `${agendaPath} (ohne Skript umsortiert)`);
      assert.deepEqual(await agendaRows(page), [['01', GREETING], ['02', TOPIC_TITLE], ['03', REPORT]]);
      const pub = await submit(page, page, 'Tagesordnung veröffentlichen und einladen', `${agendaPath}/veroeffentlichen`);
      assert.equal(pub.status(), 303);
      assert.match(await flashText(page), /veröffentlicht/);
      assert.match(await page.locator('main').innerText(), /Einladung vom \d{2}\.\d{2}\.\d{4}/);
      assert.equal(await page.getByRole('button', { name: 'Tagesordnung veröffentlichen und einladen' }).count(), 0);
      await checkA11y(page, `${agendaPath} (veröffentlicht)`);

      await visit(page, meetingPath, `${meetingPath} (eingeladen)`);
      assert.match(await page.locator('main dl').innerText(), /eingeladen/);
    });
  });

  test('Mitglied liest Tagesordnung, Einladung als PDF und Druckansicht', async () => {
    assert.ok(meetingPath, 'Sitzung aus den vorigen Schritten');
    const agendaPath = `${meetingPath}/tagesordnung`;
    await withPage(browser, portal, 'topics-member-agenda', async (page) => {
      await signIn(page, portal, MEMBER, agendaPath);
      await checkA11y(page, `${agendaPath} (Mitglied)`);
      assert.equal(await page.getByRole('heading', { name: 'Kategorie B [Schwerpunktthemen]' }).count(), 1);
      assert.equal(await page.getByRole('link', { name: TOPIC_TITLE }).count(), 1);
      assert.equal(await page.getByRole('button', { name: /nach oben/ }).count(), 0, 'keine Aktionen für Mitglieder');
      assert.deepEqual(await agendaRows(page), [['01', GREETING], ['02', TOPIC_TITLE], ['03', REPORT]]);
      assert.equal(await page.locator('#tagesordnung-liste').getByRole('link', { name: 'vorlage.pdf' }).count(), 1,
        'Unterlagen des Themas an seinem TOP');

      const pdf = await page.request.get(`${meetingPath}/einladung.pdf`);
      assert.equal(pdf.status(), 200);
      assert.match(pdf.headers()['content-type'], /^application\/pdf/);
      assert.ok((await pdf.body()).subarray(0, 5).toString('latin1') === '%PDF-', 'PDF beginnt mit %PDF-');

      await visit(page, `${agendaPath}?druck=1`, `${agendaPath}?druck=1`);
      assert.equal(await page.getByRole('link', { name: TOPIC_TITLE }).count(), 1);
      assert.equal(await page.getByRole('link', { name: 'Druckansicht' }).count(), 0);
    });
  });

  test('Leser/in sieht keine internen TOPs und keine Themen', async () => {
    assert.ok(meetingPath, 'Sitzung aus den vorigen Schritten');
    const agendaPath = `${meetingPath}/tagesordnung`;
    await withPage(browser, portal, 'topics-reader', async (page) => {
      await signIn(page, portal, READER, agendaPath);
      await checkA11y(page, `${agendaPath} (Leser/in)`);
      const main = await page.locator('main').innerText();
      assert.ok(!main.includes(TOPIC_TITLE), 'internes Thema nicht sichtbar');
      assert.ok(!main.includes(GREETING), 'nicht öffentlicher TOP nicht sichtbar');
      assert.match(main, /keine für Sie sichtbaren Punkte/);
      const html = await page.content();
      assert.ok(!html.includes(TOPIC_TITLE), 'Thema nicht im HTML');
      assert.ok(!html.includes('/anhaenge/'), 'keine Unterlagen verlinkt');

      const pdf = await page.request.get(`${meetingPath}/einladung.pdf`);
      assert.equal(pdf.status(), 200);

      await visit(page, '/themen', '/themen (Leser/in)', 403);
      assert.equal(await h1(page), 'Keine Berechtigung');
      await visit(page, topicPath, `${topicPath} (Leser/in)`, 404);
    });
  });
});
