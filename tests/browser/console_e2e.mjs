// End-to-end test of the web console (docs/CONSOLE.md) in a real browser.
//
//   node tests/browser/console_e2e.mjs --inbeeld build/node/inbeeld --out build/tests/browser/console_e2e
//
// Starts two real nodes (a leerplicht node A with the console, and an SWV
// node B) in a temporary directory, pinned to each other, and drives A's
// console in headless Debian chromium (playwright-core, no browser download):
// an invitation, an .xlsx import with its own column names and the mapping
// screen, a 422 import that stores nothing, partners, a match with B, a
// decision on a possible pair, the .xlsx and CSV exports, the other operator
// screens, logout, a wrong password, and as a second person (privacy officer)
// the log with the exchange and the operator's action, its verification and an
// access request. axe-core checks every screen (serious or critical fails);
// every screen is saved as a PNG in --out. The page runs under the server's
// real CSP: a CSP violation or an uncaught error in the page fails the test.
//
// Only synthetic names. Dates are fixed past dates; nothing asserted depends
// on today's date. A missing chromium or node_modules is a failure that says
// to run scripts/setup.sh, never a skip.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PURPOSE = 'thuiszitters-afstemming';
const STEP_TIMEOUT = 60_000;

// ---------------------------------------------------------------------------
// Arguments and prerequisites

function parseArgs(argv) {
  const args = { inbeeld: null, out: null, chromium: process.env.INBEELD_CHROMIUM || '/usr/bin/chromium', keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--inbeeld') args.inbeeld = argv[++i];
    else if (a === '--out') args.out = argv[++i];
    else if (a === '--chromium') args.chromium = argv[++i];
    else if (a === '--keep') args.keep = true;
    else fatal(`unknown argument ${a}\nusage: console_e2e.mjs --inbeeld PATH --out DIR [--chromium PATH] [--keep]`);
  }
  if (!args.inbeeld || !args.out) fatal('usage: console_e2e.mjs --inbeeld PATH --out DIR [--chromium PATH] [--keep]');
  return args;
}

function fatal(msg) {
  console.error(`console_e2e: FAILED: ${msg}`);
  process.exit(1);
}

const SETUP_HINT = 'run scripts/setup.sh (it installs Debian\'s chromium, nodejs and npm and runs `npm ci --prefix tests/browser`)';

async function loadDeps(chromiumPath) {
  if (!fs.existsSync(chromiumPath)) fatal(`no chromium at ${chromiumPath}: ${SETUP_HINT}`);
  const require = createRequire(path.join(HERE, 'package.json'));
  const deps = {};
  for (const [key, name] of [['playwright', 'playwright-core'], ['ExcelJS', 'exceljs'], ['axePath', 'axe-core']]) {
    try {
      deps[key] = key === 'axePath' ? require.resolve('axe-core/axe.min.js') : require(name);
    } catch {
      fatal(`the npm package ${name} is missing in tests/browser/node_modules: ${SETUP_HINT}`);
    }
  }
  deps.axeSource = fs.readFileSync(deps.axePath, 'utf8');
  return deps;
}

// ---------------------------------------------------------------------------
// Checks

let checks = 0;
function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  checks++;
  console.log(`  ok ${checks} - ${what}`);
}

// ---------------------------------------------------------------------------
// Nodes, driven through the real binary

class Node {
  constructor(root, binary, { name, title, role }) {
    Object.assign(this, { root, binary, name, title, role });
    this.home = path.join(root, name);
    this.passFile = path.join(root, `${name}.pass`);
    fs.writeFileSync(this.passFile, `passphrase for ${name}\n`, { mode: 0o600 });
    this.proc = null;
  }

  env() {
    return { ...process.env, INBEELD_HOME: this.home, INBEELD_PASSPHRASE_FILE: this.passFile };
  }

  cli(args, { ok = true } = {}) {
    const r = spawnSync(this.binary, args, { env: this.env(), encoding: 'utf8', timeout: STEP_TIMEOUT });
    if (ok && r.status !== 0) {
      throw new Error(`${this.name}: inbeeld ${args.join(' ')} exited ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
    }
    return r;
  }

  init() {
    this.cli(['init', '--name', this.title, '--organisation', `Organisatie ${this.title}`, '--role', this.role,
      '--kdf-profile', 'interactive']);
    this.fingerprint = JSON.parse(this.cli(['whoami', '--json']).stdout).fingerprint;
    if (!this.fingerprint) throw new Error(`${this.name}: whoami --json gave no fingerprint`);
  }

  addPeer(peer, address) {
    this.cli(['peer', 'add', peer.name, '--address', address, '--key', peer.fingerprint, '--role', peer.role,
      '--purpose', PURPOSE]);
  }

  // The legal basis of the purpose, as `init` wrote it in inbeeld.toml.
  legalBasis() {
    const toml = fs.readFileSync(path.join(this.home, 'inbeeld.toml'), 'utf8');
    const m = /^legal_basis\s*=\s*"([^"]*)"/m.exec(toml);
    if (!m) throw new Error(`${this.name}: no legal_basis in inbeeld.toml`);
    return m[1];
  }

  async serve() {
    const portFile = path.join(this.root, `${this.name}.port`);
    const consolePortFile = path.join(this.root, `${this.name}.console-port`);
    const log = fs.openSync(path.join(this.root, `${this.name}.log`), 'w');
    this.proc = spawn(this.binary, ['serve', '--listen', '127.0.0.1:0', '--port-file', portFile,
      '--console-listen', '127.0.0.1:0', '--console-port-file', consolePortFile],
    { env: this.env(), stdio: ['ignore', log, log] });
    let exited = null;
    this.proc.on('exit', (code, signal) => { exited = code ?? signal; });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (exited !== null) throw new Error(`${this.name}: serve exited (${exited}):\n${this.log()}`);
      const port = readPort(portFile);
      const consolePort = readPort(consolePortFile);
      if (port && consolePort) {
        this.port = port;
        this.consolePort = consolePort;
        return;
      }
      await sleep(50);
    }
    throw new Error(`${this.name}: serve wrote no port files within 30 s:\n${this.log()}`);
  }

  log() {
    try { return fs.readFileSync(path.join(this.root, `${this.name}.log`), 'utf8'); } catch { return ''; }
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    const done = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await done;
    clearTimeout(timer);
  }

  // `inbeeld console invite NAME --role ROLE`: the link is the last line and
  // starts with http://. The token is what counts: the CLI may not know the
  // port `serve` bound (port 0), so the link is rebuilt on the console's port.
  invite(person, role) {
    const out = this.cli(['console', 'invite', person, '--role', role]).stdout.trim().split('\n');
    const link = out[out.length - 1].trim();
    if (!link.startsWith('http://')) throw new Error(`console invite: last line is not a link: ${link}`);
    const m = /#\/uitnodiging\/([^/?#\s]+)$/.exec(link);
    if (!m) throw new Error(`console invite: no #/uitnodiging/TOKEN in ${link}`);
    return `http://127.0.0.1:${this.consolePort}/#/uitnodiging/${m[1]}`;
  }
}

function readPort(file) {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch { return null; }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// Synthetic lists (invented names). Fixed past dates only.
//
// A (leerplicht, .xlsx with its own column names): six children.
// B (swv, CSV from the CLI, no BSN): five children.
//   - Bakker Noor, El Idrissi Yara, Visser Daan: on both lists with the same
//     surname, roepnaam and birth date -> probable (waarschijnlijk);
//     Visser has another category at B -> the difference is flagged;
//   - Mulder Sem (A) and Mulder Tim (B): twins, same surname and birth date,
//     another first name -> possible (mogelijk);
//   - the rest is on one list only.
const A_COLUMNS = ['Dossier', 'Leerling achternaam', 'Roepnaam kind', 'Geb. datum', 'Soort verzuim', 'Verzuim vanaf', 'BRIN', 'Aanbod?', 'Klas'];
const A_ROWS = [
  ['LP-001', 'Bakker', 'Noor', '14-03-2012', 'absoluut verzuim', '01-09-2026', '20AB', 'nee', '2b'],
  ['LP-002', 'El Idrissi', 'Yara', '02-11-2011', 'relatief verzuim', '15-09-2026', '21CD', 'ja', '3a'],
  ['LP-003', 'Visser', 'Daan', '27-06-2013', 'relatief verzuim', '01-06-2026', '20AB', 'nee', '1c'],
  ['LP-004', 'Mulder', 'Sem', '09-01-2012', 'dreigend', '01-10-2026', '22EF', 'nee', '2a'],
  ['LP-005', 'Smit', 'Lotte', '30-04-2011', 'vrijstelling 5 onder a', '01-08-2026', '21CD', 'ja', '4'],
  ['LP-006', 'de Graaf', 'Finn', '18-12-2012', 'absoluut verzuim', '01-05-2026', '22EF', 'nee', '2c'],
];
// How the test maps A's columns on the mapping screen: a pattern for the
// option's value (the field id) or its label.
const A_MAPPING = {
  'Dossier': /referentie|kenmerk|dossier/i,
  'Leerling achternaam': /achternaam|surname/i,
  'Roepnaam kind': /roepnaam/i,
  'Geb. datum': /geboortedatum|birth/i,
  'Soort verzuim': /categorie|category/i,
  'Verzuim vanaf': /sinds|since/i,
  'BRIN': /school|brin/i,
  'Aanbod?': /aanbod|plan/i,
  'Klas': null,
};
const B_CSV = [
  'referentie;achternaam;roepnaam;geboortedatum;categorie;sinds;brin;aanbod',
  'SWV-101;Bakker;Noor;14-03-2012;absoluut verzuim;01-09-2026;20AB;nee',
  'SWV-102;El Idrissi;Yara;02-11-2011;relatief verzuim;15-09-2026;21CD;ja',
  'SWV-103;Visser;Daan;27-06-2013;absoluut verzuim;01-06-2026;20AB;nee',
  'SWV-104;Mulder;Tim;09-01-2012;dreigend;01-10-2026;22EF;nee',
  'SWV-105;Jansen;Eva;05-05-2012;relatief verzuim;01-09-2026;23GH;nee',
].join('\r\n') + '\r\n';
const EXPECTED_PAIRS = 4;        // 3 probable + 1 possible, on A's side
const EXPECTED_POSSIBLE = 1;
// A CSV with a wrong date on line 3: the import must store nothing.
const BAD_CSV = [
  'referentie;achternaam;roepnaam;geboortedatum;categorie;sinds;brin;aanbod',
  'LP-901;Kok;Ilse;01-02-2012;dreigend;01-09-2026;20AB;nee',
  'LP-902;Kok;Bram;31-02-2012;dreigend;01-09-2026;20AB;nee',
].join('\r\n') + '\r\n';

async function writeXlsx(ExcelJS, file) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Thuiszitters');
  ws.addRow(A_COLUMNS);
  for (const r of A_ROWS) ws.addRow(r);
  await wb.xlsx.writeFile(file);
}

// ---------------------------------------------------------------------------
// Browser helpers

class Screens {
  constructor(deps, outDir) {
    this.deps = deps;
    this.outDir = outDir;
    this.problems = [];
  }

  watch(page, who) {
    page.on('console', (msg) => {
      if (/Content[- ]Security[- ]Policy|Refused to/i.test(msg.text())) this.problems.push(`${who}: CSP: ${msg.text()}`);
    });
    page.on('pageerror', (err) => this.problems.push(`${who}: error in the page: ${err.message}`));
  }

  // Screenshot and accessibility check of the screen as it is now.
  async capture(page, name) {
    await page.waitForLoadState('networkidle').catch(() => {});
    await page.screenshot({ path: path.join(this.outDir, `${name}.png`), fullPage: true });
    // axe runs through the DevTools protocol, so the page's CSP is untouched.
    const has = await page.evaluate(() => typeof window.axe !== 'undefined');
    if (!has) await page.evaluate(this.deps.axeSource);
    const result = await page.evaluate(async () => window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    }));
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    const minor = result.violations.filter((v) => !bad.includes(v));
    for (const v of minor) console.log(`  note: axe (${v.impact}) on ${name}: ${v.id}: ${v.help}`);
    if (bad.length) {
      const lines = bad.map((v) => `${v.impact} ${v.id}: ${v.help}\n      ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n      ')}`);
      throw new Error(`axe: ${bad.length} serious or critical violation(s) on ${name}:\n    ${lines.join('\n    ')}`);
    }
    check(true, `${name}: screenshot saved, no serious or critical axe violations`);
    if (this.problems.length) throw new Error(this.problems.join('\n'));
  }
}

async function expectHeading(page, text) {
  await page.locator('h1', { hasText: text }).waitFor({ timeout: STEP_TIMEOUT });
}

// Picks, in a <select>, the option whose value or label matches `pattern`
// (or "niet gebruiken" for null).
async function selectMatching(select, pattern) {
  const options = await select.locator('option').evaluateAll((os) => os.map((o) => ({ value: o.value, label: o.textContent })));
  const hit = pattern === null ? options.find((o) => o.value === '') : options.find((o) => pattern.test(o.value) || pattern.test(o.label));
  if (!hit) throw new Error(`no option for ${pattern} in ${JSON.stringify(options)}`);
  await select.selectOption(hit.value);
}

async function choosePassword(page, link, person, password) {
  await page.goto(link);
  await expectHeading(page, 'Uitnodiging');
  await page.getByText(`Welkom, ${person}`).waitFor({ timeout: STEP_TIMEOUT });
  check(await page.locator('#wachtwoordregels').isVisible(), 'the invitation page shows the password rules');
  await page.getByLabel('Nieuw wachtwoord').fill(password);
  await page.getByLabel('Herhaal het wachtwoord').fill(password);
}

// ---------------------------------------------------------------------------
// The scenario

async function run(args, deps) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'inbeeld-console-e2e-'));
  fs.mkdirSync(args.out, { recursive: true });
  console.log(`console_e2e: nodes in ${root}, screenshots in ${args.out}`);
  const a = new Node(root, args.inbeeld, { name: 'leerplicht-test', title: 'Leerplicht Teststad', role: 'leerplicht' });
  const b = new Node(root, args.inbeeld, { name: 'swv-test', title: 'SWV Teststreek', role: 'swv' });
  let browser = null;
  let failed = true;
  try {
    // Two nodes, pinned to each other, B with its list from the CLI.
    a.init();
    b.init();
    fs.writeFileSync(path.join(root, 'swv-lijst.csv'), B_CSV);
    b.cli(['import', path.join(root, 'swv-lijst.csv'), '--list-date', '01-11-2026']);
    b.addPeer(a, '127.0.0.1:9');  // B only answers A; A's address does not matter to it
    await b.serve();
    a.addPeer(b, `127.0.0.1:${b.port}`);
    await a.serve();
    check(true, `two nodes serving: A console on 127.0.0.1:${a.consolePort}, B peer port ${b.port}`);

    const xlsx = path.join(root, 'leerplicht-export.xlsx');
    await writeXlsx(deps.ExcelJS, xlsx);
    const badCsv = path.join(root, 'fout-in-regel-3.csv');
    fs.writeFileSync(badCsv, BAD_CSV);

    browser = await deps.playwright.chromium.launch({
      executablePath: args.chromium,
      headless: true,
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
      // Under scripts/test.sh's moved-clock passes the nodes run on a shifted
      // clock (libfaketime); the browser runs on the real one. Every date the
      // test types is explicit, so nothing depends on the browser's clock.
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(LD_PRELOAD|FAKETIME.*|DONT_FAKE_MONOTONIC)$/.test(k))),
    });
    const screens = new Screens(deps, args.out);
    const context = await browser.newContext({ acceptDownloads: true, locale: 'nl-NL', timezoneId: 'Europe/Amsterdam', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    openPages.push(['operator', page]);
    page.setDefaultTimeout(STEP_TIMEOUT);
    screens.watch(page, 'operator');

    // --- Invitation: choose a password, land logged in.
    const operatorLink = a.invite('Test Ambtenaar', 'operator');
    const operatorPassword = 'paarse olifant fietst naar zee';
    await choosePassword(page, operatorLink, 'Test Ambtenaar', operatorPassword);
    check((await page.locator('html').getAttribute('lang')) === 'nl', 'the page is lang="nl"');
    await screens.capture(page, '01-uitnodiging');
    await page.getByRole('button', { name: 'Wachtwoord opslaan en inloggen' }).click();
    await expectHeading(page, 'Lijst');
    check((await page.locator('#gebruiker-naam').textContent()) === 'Test Ambtenaar', 'the header shows the person\'s name');
    check((await page.locator('#gebruiker-rol').textContent()) === 'Medewerker', 'the header shows the role');
    const menu = await page.locator('#menu-lijst a').allTextContents();
    check(['Lijst', 'Partners', 'Afstemmen', 'Overzicht', 'Regio', 'Rapportage'].every((x) => menu.includes(x)) &&
      !menu.includes('Logboek') && !menu.includes('Mensen'), `the operator's menu: ${menu.join(', ')}`);
    await page.locator('#geen-lijst').waitFor();
    await screens.capture(page, '02-lijst-leeg');

    // --- A file with a wrong date: every problem by line and column, nothing stored.
    await page.locator('#bestand').setInputFiles(badCsv);
    await page.locator('#koppeltabel').waitFor();
    await page.getByRole('button', { name: 'Lijst inlezen' }).click();
    await page.locator('#problemen').waitFor();
    const problems = await page.locator('#problemen tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
    check(problems.some(([regel, kolom]) => regel === '3' && /geboortedatum/i.test(kolom)),
      `the 422 is shown per line and column, with line 3, column geboortedatum: ${JSON.stringify(problems)}`);
    check(await page.locator('#niets-opgeslagen').isVisible(), 'the page says nothing was stored');
    await screens.capture(page, '03-lijst-fouten');
    await page.getByRole('button', { name: 'Annuleren' }).click();

    // --- The .xlsx with its own column names: map, import, see the counts.
    await page.locator('#bestand').setInputFiles(xlsx);
    await page.locator('#koppeltabel').waitFor();
    const columns = await page.locator('#koppeltabel select').evaluateAll((ss) => ss.map((s) => s.dataset.kolom));
    check(JSON.stringify(columns) === JSON.stringify(A_COLUMNS), `the mapping screen shows the file's columns: ${columns.join(', ')}`);
    for (const [column, pattern] of Object.entries(A_MAPPING)) {
      await selectMatching(page.locator(`#koppeltabel select[data-kolom="${column}"]`), pattern);
    }
    await page.getByLabel('Lijstdatum').fill('01-11-2026');
    await screens.capture(page, '04-lijst-koppeling');
    await page.getByRole('button', { name: 'Lijst inlezen' }).click();
    await page.locator('#inlees-resultaat').waitFor();
    check(/6 kinderen ingelezen/.test(await page.locator('#inlees-resultaat').textContent()), 'the import reports 6 rows');
    await page.locator('#lijst-totaal').waitFor();
    check((await page.locator('#lijst-totaal').textContent()).trim() === String(A_ROWS.length), 'the list shows 6 children');
    const cats = (await page.locator('#per-categorie').textContent()).toLowerCase();
    check(['relatief verzuim', 'absoluut verzuim', 'vrijstelling 5 onder a', 'dreigend'].every((c) => cats.includes(c)),
      'counts by category with the Dutch category names');
    check(await page.locator('#per-duur tbody tr').count() >= 1, 'counts by duration');
    await page.getByRole('button', { name: 'Toon de kinderen op de lijst' }).click();
    await page.locator('#lijst-rijen').waitFor();
    check(await page.locator('#lijst-rijen tbody tr').count() === A_ROWS.length, 'the rows table has 6 children');
    await screens.capture(page, '05-lijst');

    // --- Partners: B is pinned and reachable.
    await page.getByRole('link', { name: 'Partners' }).click();
    await expectHeading(page, 'Partners');
    await page.locator('.partner h3', { hasText: b.name }).waitFor();
    await page.getByRole('button', { name: 'Bereikbaarheid controleren' }).first().click();
    await page.locator('#bereik-0', { hasText: /^Bereikbaar/ }).waitFor();
    check(true, 'partner swv-test is reachable');
    await screens.capture(page, '06-partners');

    // --- Afstemmen: a match with B, with progress, then the results.
    await page.getByRole('link', { name: 'Afstemmen' }).click();
    await expectHeading(page, 'Afstemmen');
    await page.locator('#soort-match').check();
    await page.locator('#afstem-partner').selectOption(b.name);
    await page.locator('#afstem-doel').selectOption(PURPOSE);
    await screens.capture(page, '07-afstemmen');
    await page.getByRole('button', { name: 'Starten' }).click();
    await page.locator('#paren').waitFor({ timeout: 120_000 });
    const rows = page.locator('#paren tbody tr');
    check(await rows.count() === EXPECTED_PAIRS, `the result table has ${EXPECTED_PAIRS} pairs`);
    const codes = await rows.locator('th code').allTextContents();
    check(codes.every((c) => /^[0-9A-Z]{3}-[0-9A-Z]{3}$/.test(c.trim())), `every pair has a pair code (${codes.join(', ')})`);
    const strengths = await rows.evaluateAll((trs) => trs.map((t) => t.dataset.sterkte));
    check(strengths.filter((s) => s === 'mogelijk').length === EXPECTED_POSSIBLE, `one possible pair (${strengths.join(', ')})`);
    const vissersRow = rows.filter({ hasText: 'LP-003' });
    check(/categorie/.test(await vissersRow.textContent()) && await vissersRow.locator('.verschil-teken').count() >= 1,
      'the category difference of LP-003 is flagged');
    await screens.capture(page, '08-afstemmen-uitkomst');

    // A possible pair: not the same child (twins).
    const possible = rows.filter({ has: page.locator('button', { hasText: 'Niet hetzelfde kind' }) }).first();
    const possibleCode = (await possible.locator('th code').textContent()).trim();
    await possible.getByRole('button', { name: /Niet hetzelfde kind/ }).click();
    await page.locator(`#paren tr[data-paarcode="${possibleCode}"] td.besluit`, { hasText: 'afgewezen' }).waitFor();
    check(true, `possible pair ${possibleCode} rejected`);

    // Exports for the meeting.
    const [xlsxDownload] = await Promise.all([page.waitForEvent('download'), page.locator('#export-xlsx').click()]);
    const xlsxOut = path.join(args.out, 'export.xlsx');
    await xlsxDownload.saveAs(xlsxOut);
    const xbytes = fs.readFileSync(xlsxOut);
    check(xbytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])), 'the .xlsx export is a zip');
    const wb = new deps.ExcelJS.Workbook();
    await wb.xlsx.load(xbytes);
    const cells = [];
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => cells.push(String(c.text ?? c.value)))));
    check(cells.some((c) => /paarcode/i.test(c)), 'the .xlsx export has the column Paarcode');
    check(codes.every((code) => cells.includes(code.trim())), 'the .xlsx export has every pair code of the table');
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.locator('#export-csv').click()]);
    const csvOut = path.join(args.out, 'export.csv');
    await csvDownload.saveAs(csvOut);
    const csvText = fs.readFileSync(csvOut, 'utf8').replace(/^\uFEFF/, '');
    check(/paarcode/i.test(csvText.split(/\r?\n/)[0]), 'the CSV export\'s header has paarcode');

    // --- The other operator screens: they open, and pass axe.
    for (const [link, title, shot] of [['Overzicht', 'Overzicht', '09-overzicht'], ['Regio', 'Regio', '10-regio']]) {
      await page.getByRole('link', { name: link }).click();
      await expectHeading(page, title);
      await page.waitForLoadState('networkidle');
      check(await page.locator('.blok-fout').count() === 0, `${title} opens without an error`);
      await screens.capture(page, shot);
    }
    await page.getByRole('link', { name: 'Rapportage' }).click();
    await expectHeading(page, 'Rapportage');
    await page.getByLabel('Peildatum').fill('01-11-2026');
    await page.getByRole('button', { name: 'Tonen' }).click();
    await page.locator('#rapportage-uitkomst h2, .blok-fout').first().waitFor();
    check(await page.locator('#rapportage-uitkomst h2').count() === 1, 'Rapportage shows the quarter for peildatum 01-11-2026');
    await screens.capture(page, '11-rapportage');

    // --- Logout, then a wrong password.
    await page.getByRole('button', { name: 'Uitloggen' }).click();
    await expectHeading(page, 'Inloggen');
    check(await page.getByText('U bent uitgelogd.').isVisible(), 'logged out');
    check(!(await page.locator('#menu').isVisible()), 'no menu after logout');
    await page.getByLabel('Naam').fill('Test Ambtenaar');
    await page.getByLabel('Wachtwoord').fill('dit is niet het wachtwoord');
    await page.getByRole('button', { name: 'Inloggen' }).click();
    await page.getByRole('heading', { name: 'Inloggen is niet gelukt' }).waitFor();
    check(true, 'a wrong password shows "Inloggen is niet gelukt"');
    await screens.capture(page, '12-inloggen-fout');
    // Back in with the right password: the session works again.
    await page.getByLabel('Wachtwoord').fill(operatorPassword);
    await page.getByRole('button', { name: 'Inloggen' }).click();
    await expectHeading(page, 'Lijst');
    check(true, 'logged in again with the right password');
    await context.close();

    // --- The privacy officer: the log, its verification, an access request.
    const fgContext = await browser.newContext({ locale: 'nl-NL', timezoneId: 'Europe/Amsterdam', viewport: { width: 1280, height: 900 } });
    const fg = await fgContext.newPage();
    openPages.push(['fg', fg]);
    fg.setDefaultTimeout(STEP_TIMEOUT);
    screens.watch(fg, 'privacy officer');
    await choosePassword(fg, a.invite('Test Privacyfunctionaris', 'privacy-officer'), 'Test Privacyfunctionaris', 'blauwe reiger op het dak');
    await fg.getByRole('button', { name: 'Wachtwoord opslaan en inloggen' }).click();
    await expectHeading(fg, 'Logboek');
    const fgMenu = await fg.locator('#menu-lijst a').allTextContents();
    check(fgMenu.includes('Logboek') && !fgMenu.includes('Lijst') && !fgMenu.includes('Afstemmen'), `the privacy officer's menu: ${fgMenu.join(', ')}`);
    await fg.getByLabel('Van').fill('01-01-2000');
    await fg.getByLabel('Tot en met').fill('31-12-2099');
    await fg.getByRole('button', { name: 'Tonen' }).click();
    await fg.locator('#uitwisselingen').waitFor();
    const exchanges = await fg.locator('#uitwisselingen tbody tr').allTextContents();
    const legal = a.legalBasis();
    check(exchanges.some((r) => r.includes(b.name) && (r.includes(PURPOSE) || r.includes('Afstemming thuiszitterslijsten')) && r.includes(legal)),
      'the log shows the exchange with swv-test, its purpose and legal basis');
    const actions = await fg.locator('#acties tbody tr').allTextContents();
    check(actions.some((r) => r.includes('Test Ambtenaar')), 'the log shows the operator\'s actions with her name');
    await screens.capture(fg, '13-logboek');
    await fg.getByRole('button', { name: 'Log controleren' }).click();
    await fg.getByRole('heading', { name: 'Het logboek is in orde' }).waitFor({ timeout: 120_000 });
    check(true, 'the log verification says it is in order');
    await fg.getByLabel('Met naam en geboortedatum').check();
    await fg.getByLabel('Achternaam', { exact: true }).fill('Bakker');
    await fg.getByLabel('Voornamen (als u die weet)').fill('Noor');
    await fg.getByLabel('Geboortedatum', { exact: true }).fill('14-03-2012');
    await fg.getByRole('button', { name: 'Zoeken' }).click();
    await fg.locator('#inzage-antwoord').waitFor();
    check(/staat in inbeeld/.test(await fg.locator('#inzage-gevonden').textContent()), 'the access request finds the child');
    await screens.capture(fg, '14-inzageverzoek');
    await fg.evaluate(() => document.body.classList.add('afdruk-inzage'));
    await fg.emulateMedia({ media: 'print' });
    check(!(await fg.locator('nav#menu').isVisible()) && await fg.locator('#inzage-antwoord').isVisible(),
      'the print stylesheet shows only the answer');
    await fg.screenshot({ path: path.join(args.out, '15-inzageverzoek-afdruk.png'), fullPage: true });
    await fg.emulateMedia({ media: 'screen' });
    await fg.getByRole('link', { name: 'Partners' }).click();
    await expectHeading(fg, 'Partners');
    check(await fg.getByRole('button', { name: 'Bereikbaarheid controleren' }).count() === 0, 'the privacy officer sees partners without the reachability button');
    await screens.capture(fg, '16-partners-fg');
    // Her own password, changed from the link beside her name.
    await fg.getByRole('link', { name: 'Wachtwoord wijzigen' }).click();
    await expectHeading(fg, 'Wachtwoord wijzigen');
    await fg.getByLabel('Huidig wachtwoord').fill('dit is niet het wachtwoord');
    await fg.getByLabel('Nieuw wachtwoord').fill('groene specht in het bos');
    await fg.getByLabel('Herhaal het nieuwe wachtwoord').fill('groene specht in het bos');
    await fg.getByRole('button', { name: 'Wachtwoord wijzigen' }).click();
    await fg.getByText('Uw huidige wachtwoord klopt niet.').waitFor({ timeout: STEP_TIMEOUT });
    check(true, 'a wrong current password is refused in Dutch');
    await fg.getByLabel('Huidig wachtwoord').fill('blauwe reiger op het dak');
    await fg.getByRole('button', { name: 'Wachtwoord wijzigen' }).click();
    await fg.locator('#wachtwoord-gewijzigd').waitFor({ timeout: STEP_TIMEOUT });
    check(true, 'the privacy officer changes her own password');
    await screens.capture(fg, '17-wachtwoord');
    await fgContext.close();
    if (screens.problems.length) throw new Error(screens.problems.join('\n'));
    failed = false;
  } finally {
    if (failed) {
      // What the person saw when it went wrong: a screenshot and the text.
      for (const [who, p] of openPages) {
        try {
          await p.screenshot({ path: path.join(args.out, `FAILED-${who}.png`), fullPage: true });
          const seen = (await p.locator('main').innerText()).slice(0, 3000);
          console.error(`--- what the ${who} page showed:\n${seen}`);
        } catch (e) { console.error(`(no screenshot of the ${who} page: ${e.message})`); }
      }
    }
    if (browser) await browser.close().catch(() => {});
    await a.stop();
    await b.stop();
    if (failed) {
      console.error(`--- serve log of A:\n${a.log()}\n--- serve log of B:\n${b.log()}`);
      console.error(`console_e2e: kept ${root} for inspection`);
    } else if (!args.keep) {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
}

const openPages = [];
const args = parseArgs(process.argv.slice(2));
const deps = await loadDeps(args.chromium);
const started = Date.now();
try {
  await run(args, deps);
  console.log(`console_e2e: took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`console_e2e: ${checks} passed, 0 failed`);
} catch (e) {
  console.error(`console_e2e: FAILED after ${checks} checks: ${e.stack || e.message}`);
  console.log(`console_e2e: ${checks} passed, 1 failed`);
  process.exitCode = 1;
}
