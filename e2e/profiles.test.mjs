// Journey "Anforderungsprofile": a member drafts a requirement profile with
// three requirements and saves a second version; the chair opens the
// (non-public) consultation; a municipal reader reads it, compares versions
// and replies to two requirements; the chair reads the synopsis and its CSV,
// records the KoG's resolution and the submission to the IT-PLR. An
// anonymous visitor sees the profile neither in the Atom feed nor on its
// page. axe-core (WCAG 2.1 A/AA) runs on every page visited.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  h1, submit, visit, berlinDate,
  assertErrorSummary, checkA11y, flashText, launchBrowser, signIn, startPortal, withPage,
} from './helpers.mjs';

const CHAIR = 'vorsitz@kog.example';
const MEMBER = 'mitglied@kog.example';
const READER = 'leser@kog.example';

const TITLE = 'E2E-Profil Registermodernisierung';
const REQS = [
  ['MUSS', 'Registerauskünfte stehen Kommunen über eine standardisierte Schnittstelle zur Verfügung.', 'Ohne Schnittstelle bleibt die Nachnutzung teuer.'],
  ['SOLL', 'Änderungen an den Registern werden Kommunen sechs Monate vorher angekündigt.', 'Fachverfahren brauchen Vorlauf.'],
  ['KANN', 'Testdaten werden in einer Sandbox bereitgestellt.', ''],
];
const R1_NEW = 'Registerauskünfte stehen Kommunen kostenfrei und über eine standardisierte Schnittstelle zur Verfügung.';
const CONCERN = 'E2E-Bedenken: Die Kosten der Anbindung tragen sonst die Kommunen allein.';
const MUNICIPALITY = 'Musterstadt';

let portal;
let browser;
let profilePath; // /anforderungsprofile/<id>
let reference; // AP-YYYY-NN

before(async () => {
  [portal, browser] = await Promise.all([startPortal(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await portal?.stop();
});





// statusBadge is the profile's status label under the heading.
async function statusBadge(page) {
  return (await page.locator('main h1 + p .kern-badge--info').innerText()).trim();
}

// fillRequirement fills row i of the editor.
async function fillRequirement(page, i, [prio, text, rationale]) {
  await page.locator(`#req_priority_${i}`).selectOption(prio);
  await page.locator(`#req_text_${i}`).fill(text);
  await page.locator(`#req_rationale_${i}`).fill(rationale);
}

// move submits the chair's workflow form.
async function move(page, fill) {
  const form = page.locator('form[action$="/status"]');
  await fill(form);
  const res = await submit(form, page, 'Stand ändern', `${profilePath}/status`);
  assert.equal(res.status(), 303, `Stand ändern: ${res.status()} ${await flashOrErrors(page)}`);
  assert.equal(new URL(page.url()).pathname, profilePath);
}

async function flashOrErrors(page) {
  const err = page.locator('main .kern-alert--danger');
  return (await err.count()) ? (await err.innerText()).trim() : await flashText(page);
}

describe('Anforderungsprofile', () => {
  test('Mitglied legt ein Profil mit drei Anforderungen an', async () => {
    await withPage(browser, portal, 'profiles-create', async (page) => {
      await signIn(page, portal, MEMBER, '/anforderungsprofile');
      await checkA11y(page, '/anforderungsprofile (Mitglied)');
      await page.getByRole('link', { name: 'Anforderungsprofil anlegen' }).click();
      await page.waitForURL((u) => u.pathname === '/anforderungsprofile/neu');
      assert.equal(await h1(page), 'Anforderungsprofil anlegen');
      // one MUSS row plus the two extra empty rows
      assert.equal(await page.locator('fieldset.requirement-row').count(), 3);
      await checkA11y(page, '/anforderungsprofile/neu');

      await page.getByLabel('Zusammenfassung').fill('Das KoG fordert moderne Register für Kommunen.');
      await page.getByLabel('Problemstellung').fill('Kommunen binden Register heute einzeln an.');
      await page.getByLabel('Ziele').fill('Einheitliche, kostengünstige Anbindung.');
      await page.getByLabel('Betroffene Dienste und Standards (durch Komma getrennt)').fill('Registermodernisierung, XÖV');
      await page.getByLabel('Herkunft (Organisationen)').fill('Deutscher Städtetag');
      for (const [i, r] of REQS.entries()) await fillRequirement(page, i, r);

      // Without a title the editor comes back with the summary and keeps the rows.
      const refused = await submit(page, page, 'Fassung speichern', '/anforderungsprofile');
      assert.equal(refused.status(), 422);
      const errors = await assertErrorSummary(page);
      assert.deepEqual(errors, ['Bitte geben Sie dem Anforderungsprofil einen Titel.']);
      assert.equal(await page.getByLabel('Titel', { exact: true }).getAttribute('aria-invalid'), 'true');
      assert.equal(await page.locator('#req_text_2').inputValue(), REQS[2][1]);
      assert.equal(await page.locator('#req_priority_1').inputValue(), 'SOLL');
      await checkA11y(page, '/anforderungsprofile (ohne Titel)');

      await page.getByLabel('Titel', { exact: true }).fill(TITLE);
      const res = await submit(page, page, 'Fassung speichern', '/anforderungsprofile');
      assert.equal(res.status(), 303);
      profilePath = new URL(page.url()).pathname;
      assert.match(profilePath, /^\/anforderungsprofile\/\d+$/);
      const heading = await h1(page);
      assert.match(heading, new RegExp(`^AP-\\d{4}-\\d{2}: ${TITLE}$`));
      reference = heading.split(':')[0];
      assert.match(await flashText(page), /interner Entwurf/);
      assert.equal(await statusBadge(page), 'Entwurf');
      for (const [i, [prio, text]] of REQS.entries()) {
        const sec = page.locator(`section#R${i + 1}`);
        assert.match(await sec.locator('h3').innerText(), new RegExp(`${reference}/R${i + 1}\\s+${prio}`));
        assert.match(await sec.innerText(), new RegExp(text));
      }
      assert.equal(await page.locator('section.requirement').count(), 3);
      await checkA11y(page, `${profilePath} (Entwurf)`);
    });
  });

  test('Mitglied speichert Fassung 2', async () => {
    assert.ok(profilePath, 'Profil aus dem vorigen Schritt');
    await withPage(browser, portal, 'profiles-edit', async (page) => {
      await signIn(page, portal, MEMBER, profilePath);
      await page.getByRole('link', { name: 'Bearbeiten (neue Fassung)' }).click();
      await page.waitForURL((u) => u.pathname === `${profilePath}/bearbeiten`);
      assert.equal(await page.locator('#req_text_0').inputValue(), REQS[0][1]);
      await checkA11y(page, `${profilePath}/bearbeiten`);

      // A new row with a rationale but no text: the row's field is marked
      // and says why, and the summary leads to it.
      await page.locator('#req_rationale_3').fill('Begründung ohne Anforderung');
      const refused = await submit(page, page, 'Fassung speichern', profilePath);
      assert.equal(refused.status(), 422);
      assert.deepEqual(await assertErrorSummary(page), ['Bitte formulieren Sie die Anforderung.']);
      assert.equal(await page.locator('#fehler a').getAttribute('href'), '#req_text_3');
      const field = page.locator('#req_text_3');
      assert.equal(await field.getAttribute('aria-invalid'), 'true');
      assert.match(await page.locator(`#${await field.getAttribute('aria-describedby')}`).innerText(), /Bitte formulieren Sie die Anforderung/);
      assert.equal(await page.locator('#req_text_0').getAttribute('aria-invalid'), null);
      await checkA11y(page, `${profilePath} (Anforderung ohne Text)`);

      await page.locator('#req_rationale_3').fill('');
      await page.locator('#req_text_0').fill(R1_NEW);
      const res = await submit(page, page, 'Fassung speichern', profilePath);
      assert.equal(res.status(), 303);
      assert.equal(new URL(page.url()).pathname, profilePath);
      assert.match(await flashText(page), /Fassung 2/);
      assert.match(await page.locator('section#R1').innerText(), /kostenfrei und/);
    });
  });

  test('Vorsitz eröffnet die Konsultation (nicht öffentlich)', async () => {
    assert.ok(profilePath, 'Profil aus dem vorigen Schritt');
    await withPage(browser, portal, 'profiles-consultation', async (page) => {
      await signIn(page, portal, CHAIR, profilePath);
      await checkA11y(page, `${profilePath} (Vorsitz)`);
      await move(page, async (form) => {
        await form.getByLabel('Neuer Stand').selectOption('konsultation');
        await form.getByLabel('Konsultation bis').fill(berlinDate(30));
        assert.equal(await form.locator('#public').isChecked(), false);
      });
      assert.equal(await statusBadge(page), 'in Konsultation');
      assert.match(await flashText(page), /in Konsultation/);
      assert.doesNotMatch(await page.locator('main dl').innerText(), /öffentlich/);
    });
  });

  test('Kommune liest, vergleicht und gibt Rückmeldungen', async () => {
    assert.ok(profilePath, 'Profil aus dem vorigen Schritt');
    await withPage(browser, portal, 'profiles-reader', async (page) => {
      await signIn(page, portal, READER, '/anforderungsprofile');
      await checkA11y(page, '/anforderungsprofile (Leser)');
      assert.equal(await page.getByRole('link', { name: 'Anforderungsprofil anlegen' }).count(), 0);
      assert.equal(await page.getByRole('heading', { name: 'Entwürfe (nur Gremium)' }).count(), 0);
      const consultation = page.locator('h2:text-is("In Konsultation") + ul');
      const link = consultation.getByRole('link', { name: `${reference}: ${TITLE}` });
      assert.equal(await link.count(), 1, 'Profil unter „In Konsultation“');
      await link.click();
      await page.waitForURL((u) => u.pathname === profilePath);
      assert.equal(await statusBadge(page), 'in Konsultation');
      assert.equal(await page.getByRole('link', { name: 'Bearbeiten (neue Fassung)' }).count(), 0);
      assert.equal(await page.getByRole('link', { name: 'Synopse der Konsultation' }).count(), 0);
      await checkA11y(page, `${profilePath} (Leser)`);

      // Readers see only the versions from the consultation on: here just
      // Fassung 2, so there is nothing to compare and no link to it.
      assert.equal(await page.getByRole('link', { name: 'Fassungen vergleichen' }).count(), 0);
      await visit(page, `${profilePath}/vergleich`, `${profilePath}/vergleich (Leser)`);
      assert.equal(await h1(page), 'Fassung 2 und 2 im Vergleich');
      assert.equal(await page.locator('main .diff ins, main .diff del').count(), 0);
      const hidden = await page.goto(`${profilePath}/vergleich?von=1&bis=2`);
      assert.equal(hidden.status(), 404, 'Fassung 1 bleibt im Gremium');
      const hiddenVersion = await page.goto(`${profilePath}/versionen/1`);
      assert.equal(hiddenVersion.status(), 404);

      // Feedback on R1 (concerns) and R2 (agreement).
      for (const [key, kind, text] of [['R1', 'Bedenken', CONCERN], ['R2', 'Zustimmung', '']]) {
        await page.goto(profilePath);
        const sec = page.locator(`section#${key}`);
        const details = sec.locator('details', { has: page.locator('summary', { hasText: 'Rückmeldung geben' }) });
        await details.locator('summary').click();
        await details.getByLabel('Kommune').fill(MUNICIPALITY);
        await details.getByLabel('Gemeindeschlüssel').fill('05315000');
        await details.getByRole('radio', { name: kind }).check();
        await details.getByLabel('Begründung').fill(text);
        if (key === 'R1') await checkA11y(page, `${profilePath} (Rückmeldung offen)`);
        const res = await submit(details, page, `Rückmeldung speichern zu ${key}`, `${profilePath}/rueckmeldung`);
        assert.equal(res.status(), 303, await flashOrErrors(page));
        assert.equal(new URL(page.url()).hash, `#${key}`);
        assert.match(await flashText(page), new RegExp(`Rückmeldung zu ${reference}/${key} ist gespeichert`));
        assert.match(await page.locator(`section#${key}`).innerText(), new RegExp(`Ihre Rückmeldung: ${kind.toLowerCase()}`, 'i'));
      }
    });
  });

  test('Mitglied vergleicht Fassung 1 und 2', async () => {
    assert.ok(profilePath, 'Profil aus dem vorigen Schritt');
    await withPage(browser, portal, 'profiles-compare', async (page) => {
      await signIn(page, portal, MEMBER, profilePath);
      await page.getByRole('link', { name: 'Fassungen vergleichen' }).click();
      await page.waitForURL((u) => u.pathname === `${profilePath}/vergleich`);
      assert.equal(await h1(page), 'Fassung 1 und 2 im Vergleich');
      await visit(page, `${profilePath}/vergleich?von=1&bis=2`, `${profilePath}/vergleich?von=1&bis=2`);
      const ins = await page.locator('main table ins').allInnerTexts();
      assert.ok(ins.some((t) => t.includes('kostenfrei')), `<ins> mit „kostenfrei“: ${JSON.stringify(ins)}`);
      const row = page.locator('main table tbody tr', { has: page.locator('th', { hasText: `${reference}/R1` }) });
      assert.match(await row.locator('td').first().innerText(), /geändert/);
    });
  });

  test('Vorsitz liest die Synopse und ihr CSV', async () => {
    assert.ok(profilePath, 'Profil aus dem vorigen Schritt');
    await withPage(browser, portal, 'profiles-synopsis', async (page) => {
      await signIn(page, portal, CHAIR, profilePath);
      await page.getByRole('link', { name: 'Synopse der Konsultation' }).click();
      await page.waitForURL((u) => u.pathname === `${profilePath}/synopse`);
      await checkA11y(page, `${profilePath}/synopse`);
      const counts = async (key) => {
        const row = page.locator('main table tbody tr', { has: page.locator('th', { hasText: `${reference}/${key} (` }) });
        assert.equal(await row.count(), 1, `Zeile ${key}`);
        const [agree, concerns, addendums] = (await row.locator('td').allInnerTexts()).map((t) => t.trim());
        return { agree, concerns, addendums };
      };
      assert.deepEqual(await counts('R1'), { agree: '0', concerns: '1', addendums: '0' });
      assert.deepEqual(await counts('R2'), { agree: '1', concerns: '0', addendums: '0' });
      assert.deepEqual(await counts('R3'), { agree: '0', concerns: '0', addendums: '0' });

      const csv = await page.request.get(`${profilePath}/synopse.csv`);
      assert.equal(csv.status(), 200);
      assert.match(csv.headers()['content-type'], /^text\/csv/);
      const body = await csv.text();
      assert.ok(body.includes(CONCERN), 'CSV enthält die Begründung der Kommune');
      assert.ok(body.includes(`${reference}/R1;`), 'CSV nennt die Anforderung');
      assert.ok(body.includes(MUNICIPALITY));
    });
  });

  test('Vorsitz erfasst Beschluss und Übermittlung', async () => {
    assert.ok(profilePath, 'Profil aus dem vorigen Schritt');
    await withPage(browser, portal, 'profiles-adopt', async (page) => {
      await signIn(page, portal, CHAIR, profilePath);
      await move(page, async (form) => {
        await form.getByLabel('Neuer Stand').selectOption('beschlossen');
        const options = await form.getByLabel('Beschluss des KoG').locator('option').evaluateAll(
          (os) => os.map((o) => ({ value: o.value, text: o.textContent.trim() })));
        const first = options.find((o) => o.text !== '–');
        assert.ok(first, 'mindestens ein angenommener Beschluss');
        await form.getByLabel('Beschluss des KoG').selectOption(first.value);
      });
      assert.equal(await statusBadge(page), 'vom KoG beschlossen');
      assert.match(await page.locator('main dl').innerText(), /Beschluss des KoG/);
      // adopted: no more editing, no feedback
      assert.equal(await page.getByRole('link', { name: 'Bearbeiten (neue Fassung)' }).count(), 0);

      await move(page, async (form) => {
        await form.getByLabel('Neuer Stand').selectOption('uebermittelt');
        await form.locator('#on').fill(berlinDate(0));
      });
      assert.equal(await statusBadge(page), 'an den IT-PLR übermittelt');
      assert.match(await page.locator('main dl').innerText(), /An den IT-PLR übermittelt/);
      await checkA11y(page, `${profilePath} (übermittelt)`);
    });
  });

  test('Anonyme Besucher sehen das Profil weder im Feed noch als Seite', async () => {
    assert.ok(profilePath, 'Profil aus dem vorigen Schritt');
    const feed = await fetch(portal.url('/anforderungsprofile/feed.atom'));
    assert.equal(feed.status, 200);
    assert.match(feed.headers.get('content-type'), /^application\/atom\+xml/);
    const xml = await feed.text();
    assert.match(xml, /^<\?xml/);
    assert.match(xml, /<feed xmlns="http:\/\/www.w3.org\/2005\/Atom"/);
    assert.ok(!xml.includes('E2E-Profil'), 'nicht öffentliche Konsultation bleibt aus dem Feed');

    const res = await fetch(portal.url(profilePath), { redirect: 'manual' });
    assert.equal(res.status, 303);
    const loc = new URL(res.headers.get('location'), portal.baseURL);
    assert.equal(loc.pathname, '/auth/login');
    assert.equal(loc.searchParams.get('next'), profilePath);
  });
});
