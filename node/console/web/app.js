// inbeeld console: the page. Vanilla JavaScript, one module, no build step.
//
// Works under the console's CSP (docs/CONSOLE.md): no inline script or style,
// no eval, no inline handlers. Every value from the server reaches the page as
// text (textContent via h()), never as HTML: children's names are on these
// screens. Every POST carries X-CSRF-Token; fetches are same-origin only.

// ---------------------------------------------------------------------------
// Small DOM helpers

// h('p', {class: 'x'}, 'text', child, [more]) builds an element. Strings and
// numbers become text nodes; null/undefined/false are skipped.
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}
function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}
function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }
const $ = (sel, root = document) => root.querySelector(sel);

let idCounter = 0;
const newId = (prefix) => `${prefix}-${++idCounter}`;

// Plain text for a value of unknown shape (a string, a list, an object of counts).
function text(v) {
  if (v === null || v === undefined || v === '') return '—';
  if (Array.isArray(v)) return v.length ? v.map(text).join(', ') : '—';
  if (typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k}: ${text(x)}`).join(', ');
  if (typeof v === 'boolean') return v ? 'ja' : 'nee';
  return String(v);
}

// ---------------------------------------------------------------------------
// Words: codes from the server shown in plain Dutch. Unknown values are shown
// as they come, so a new code is never hidden.

const ROLLEN = {
  operator: 'Medewerker',
  'privacy-officer': 'Functionaris gegevensbescherming',
  admin: 'Beheerder',
};
const CATEGORIEEN = {
  relatief: 'relatief verzuim', relatief_verzuim: 'relatief verzuim', relative: 'relatief verzuim',
  absoluut: 'absoluut verzuim', absoluut_verzuim: 'absoluut verzuim', absolute: 'absoluut verzuim',
  vrijstelling: 'vrijstelling 5 onder a', vrijstelling_5a: 'vrijstelling 5 onder a',
  exemption_5a: 'vrijstelling 5 onder a', exemption: 'vrijstelling 5 onder a',
  dreigend: 'dreigend', threatened: 'dreigend', at_risk: 'dreigend',
};
const DUREN = {
  '<4w': 'korter dan 4 weken', korter_dan_4_weken: 'korter dan 4 weken', under_4_weeks: 'korter dan 4 weken',
  '4w-3m': '4 weken tot 3 maanden', '4_weken_3_maanden': '4 weken tot 3 maanden',
  '>=3m': '3 maanden of langer', '3_maanden_of_langer': '3 maanden of langer',
};
const SOORTEN = {
  match: 'Vergelijken', tellen: 'Alleen tellen', count: 'Alleen tellen', sync: 'Afstemmen met alle partners',
  regio: 'Regionale telling', region: 'Regionale telling',
};
const STERKTES = { zeker: 'zeker', waarschijnlijk: 'waarschijnlijk', mogelijk: 'mogelijk' };
const VERSCHILLEN = { categorie: 'categorie', sinds: 'verzuim sinds', school: 'school', aanbod: 'aanbod' };
const rolNaam = (r) => ROLLEN[r] || r || '';
const categorie = (c) => (c ? CATEGORIEEN[String(c).toLowerCase()] || String(c) : '—');
const duur = (d) => (d ? DUREN[d] || String(d) : '—');
const soort = (s) => SOORTEN[s] || text(s);
const janee = (v) => (v === true || v === 'ja' ? 'ja' : v === false || v === 'nee' ? 'nee' : text(v));

// ISO 8601 UTC time -> "dd-mm-jjjj uu:mm" in the browser's (Dutch) local time.
function tijd(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getDate())}-${p(d.getMonth() + 1)}-${d.getFullYear()} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
function vandaag(offsetDays = 0) {
  const d = new Date();
  d.setDate(d.getDate() + offsetDays);
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getDate())}-${p(d.getMonth() + 1)}-${d.getFullYear()}`;
}
function geldigeDatum(s) {
  const m = /^(\d{2})-(\d{2})-(\d{4})$/.exec(s);
  if (!m) return false;
  const d = new Date(Number(m[3]), Number(m[2]) - 1, Number(m[1]));
  return d.getDate() === Number(m[1]) && d.getMonth() === Number(m[2]) - 1;
}

// ---------------------------------------------------------------------------
// The API

class ApiFout extends Error {
  constructor(status, melding, data) {
    super(melding);
    this.status = status;
    this.data = data || {};
  }
}

// The CSRF token is the page's proof that a request comes from this console
// and not from another program on this machine: the server wants it on
// every API request. It lives in sessionStorage, which — unlike the session
// cookie — is kept apart per port, and ends with the tab.
const CSRF_KEY = 'inbeeld_csrf';
const state = { me: null, csrf: sessionStorage.getItem(CSRF_KEY) };

function bewaarCsrf(token) {
  state.csrf = token || null;
  if (token) sessionStorage.setItem(CSRF_KEY, token); else sessionStorage.removeItem(CSRF_KEY);
}

// api('GET', '/api/lijst'), api('POST', path, {json}) or {body, headers}.
// Resolves to the JSON answer; rejects with an ApiFout whose message is Dutch.
// A 401 outside the login pages sends the person back to the login page.
async function api(method, path, opts = {}) {
  const headers = { Accept: 'application/json', ...(opts.headers || {}) };
  let body = opts.body;
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  if (state.csrf) headers['X-CSRF-Token'] = state.csrf;
  let res;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin', cache: 'no-store', redirect: 'error' });
  } catch {
    throw new ApiFout(0, 'Er is geen verbinding met inbeeld. Controleer of het programma nog draait en probeer het opnieuw.');
  }
  let data = null;
  if ((res.headers.get('Content-Type') || '').includes('application/json')) {
    try { data = await res.json(); } catch { data = null; }
  }
  if (res.ok) return data || {};
  const fout = data && typeof data.fout === 'string' ? data.fout : '';
  let melding;
  switch (res.status) {
    case 401:
      melding = fout || 'U bent niet (meer) ingelogd. Log opnieuw in.';
      if (!opts.loginPagina) {
        state.me = null;
        bewaarCsrf(null);
        naarLogin('Uw sessie is afgelopen. Log opnieuw in.');
      }
      break;
    case 403: melding = 'Geen toegang voor uw rol.' + (fout ? ` ${fout}` : ''); break;
    case 404: melding = fout || 'Niet gevonden.'; break;
    case 410: melding = fout || 'Deze link is al gebruikt of verlopen.'; break;
    case 429: {
      const min = data && data.minuten;
      melding = fout || 'Te veel mislukte pogingen.';
      if (min && !/minuten/.test(melding)) melding += ` Probeer het over ${min} ${min === 1 ? 'minuut' : 'minuten'} opnieuw.`;
      break;
    }
    default:
      melding = fout || (res.status >= 500
        ? `Er ging iets mis in inbeeld (foutcode ${res.status}). Probeer het later opnieuw of neem contact op met de beheerder.`
        : `Dit verzoek is niet gelukt (foutcode ${res.status}).`);
  }
  throw new ApiFout(res.status, melding, data);
}

// ---------------------------------------------------------------------------
// Building blocks for screens

function main() { return $('#inhoud'); }

// Announces a short message to screen readers (and shows nothing extra).
function meld(tekst) {
  const live = $('#live');
  live.textContent = '';
  setTimeout(() => { live.textContent = tekst; }, 50);
}

// A block with a message. soort: '' | 'fout' | 'goed' | 'let-op'.
function blok(soort, titel, ...inhoud) {
  return h('div', { class: `blok${soort ? ` blok-${soort}` : ''}`, role: soort === 'fout' ? 'alert' : null },
    titel ? h('h2', {}, titel) : null, inhoud);
}

// Shows an error from api() in `plek`: the message, and for a 422 with
// `problemen` a table of line, column and message.
function toonFout(plek, fout, titel = 'Dat is niet gelukt') {
  clear(plek);
  const inhoud = [h('p', {}, fout.message)];
  const problemen = fout.data && Array.isArray(fout.data.problemen) ? fout.data.problemen : [];
  if (problemen.length) {
    inhoud.push(tabel('Problemen in het bestand', ['Regel', 'Kolom', 'Wat is er mis'],
      problemen.map((p) => [text(p.regel), text(p.kolom), text(p.melding)]), { id: 'problemen', getallen: [0] }));
  }
  const b = blok('fout', titel, inhoud);
  b.tabIndex = -1;
  plek.append(b);
  b.focus();
  return b;
}

// A table with a caption, <th scope="col"> headers and (by default) the first
// cell of each row as <th scope="row">. Cells are strings or nodes.
function tabel(bijschrift, koppen, rijen, opts = {}) {
  const getallen = new Set(opts.getallen || []);
  const rijkop = opts.rijkop !== false;
  const t = h('table', { id: opts.id },
    h('caption', { class: opts.verborgenBijschrift ? 'visueel-verborgen' : null }, bijschrift),
    h('thead', {}, h('tr', {}, koppen.map((k, i) => h('th', { scope: 'col', class: getallen.has(i) ? 'getal' : null }, k)))),
    h('tbody', {}, rijen.map((rij) => {
      const tr = h('tr', {}, rij.map((cel, i) => {
        const attrs = { class: getallen.has(i) ? 'getal' : null };
        if (cel && cel.cel) { Object.assign(attrs, cel.attrs || {}); cel = cel.cel; }
        return i === 0 && rijkop ? h('th', { scope: 'row', ...attrs }, cel) : h('td', attrs, cel);
      }));
      return tr;
    })));
  return tabelVak(bijschrift, t);
}

// A wide table scrolls sideways in its own region, which keyboard users can
// focus and scroll (axe: scrollable-region-focusable).
function tabelVak(label, t) {
  return h('div', { class: 'tabel-vak', role: 'region', 'aria-label': label, tabindex: '0' }, t);
}

// A labelled text field. Returns {wrap, input, fout(msg)}.
function veld(label, opts = {}) {
  const id = opts.id || newId('veld');
  const hintId = opts.hint ? `${id}-hint` : null;
  const foutId = `${id}-fout`;
  const input = h('input', {
    id, name: opts.name || id, type: opts.type || 'text', autocomplete: opts.autocomplete || 'off',
    class: opts.kort ? 'kort' : null, value: opts.value, required: opts.required, inputmode: opts.inputmode,
    spellcheck: 'false', 'aria-describedby': hintId,
  });
  const foutEl = h('span', { class: 'veld-fout', id: foutId, hidden: true });
  const wrap = h('div', { class: 'veld' }, h('label', { for: id }, label), opts.hint ? h('span', { class: 'hint', id: hintId }, opts.hint) : null, foutEl, input);
  return {
    wrap, input,
    fout(msg) {
      if (msg) {
        foutEl.textContent = msg;
        foutEl.hidden = false;
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', [hintId, foutId].filter(Boolean).join(' '));
      } else {
        foutEl.hidden = true;
        input.removeAttribute('aria-invalid');
        if (hintId) input.setAttribute('aria-describedby', hintId); else input.removeAttribute('aria-describedby');
      }
    },
  };
}
function datumVeld(label, value, id) {
  return veld(label, { id, value, hint: 'Als dd-mm-jjjj, bijvoorbeeld 01-09-2026.', kort: true, inputmode: 'numeric' });
}

// The error summary above a form: a list of links to the fields that are
// wrong. fouten: [{veld: {input, fout}, melding}]. Returns true when empty.
function foutSamenvatting(plek, fouten, titel = 'Er is een probleem') {
  clear(plek);
  if (!fouten.length) return true;
  const b = blok('fout', titel, h('ul', { class: 'foutenlijst' }, fouten.map((f) =>
    h('li', {}, h('a', { href: `#${f.veld.input.id}`, onclick: (e) => { e.preventDefault(); f.veld.input.focus(); } }, f.melding)))));
  b.tabIndex = -1;
  plek.append(b);
  for (const f of fouten) f.veld.fout(f.melding);
  b.focus();
  return false;
}

function knop(label, onclick, opts = {}) {
  return h('button', { type: opts.type || 'button', class: `knop${opts.tweede ? ' knop-tweede' : ''}`, onclick, id: opts.id }, label);
}

// A button that downloads a file from the API: fetched with the CSRF token
// (a plain link could not send it), then saved under the server's name.
function downloadKnop(label, pad, id, tweede = false) {
  const b = knop(label, async () => {
    await bezig(b, async () => {
      let res;
      try {
        res = await fetch(pad, { headers: { 'X-CSRF-Token': state.csrf || '' }, credentials: 'same-origin', cache: 'no-store' });
      } catch {
        meld('Downloaden is niet gelukt: geen verbinding met inbeeld.');
        return;
      }
      if (!res.ok) {
        if (res.status === 401) { bewaarCsrf(null); naarLogin('Uw sessie is afgelopen. Log opnieuw in.'); }
        meld(`Downloaden is niet gelukt (foutcode ${res.status}).`);
        return;
      }
      const naam = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '');
      const url = URL.createObjectURL(await res.blob());
      const a = h('a', { href: url, download: naam ? naam[1] : 'inbeeld-download' });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    });
  }, { id, tweede });
  return b;
}

// Runs fn while `knopEl` is disabled, so a double click does not send twice.
async function bezig(knopEl, fn) {
  if (knopEl) knopEl.disabled = true;
  try { return await fn(); } finally { if (knopEl) knopEl.disabled = false; }
}

// Starts a screen: a heading (focused, so screen readers announce the new
// screen), an optional introduction, and the title of the tab.
function scherm(titel, inleiding) {
  const m = clear(main());
  document.title = `${titel} — inbeeld`;
  const kop = h('h1', { tabindex: '-1', id: 'schermkop' }, titel);
  m.append(kop);
  if (inleiding) m.append(h('p', { class: 'inleiding' }, inleiding));
  kop.focus();
  return m;
}

function laden(plek) { clear(plek).append(h('p', { class: 'laden' }, 'Bezig met laden…')); }

// ---------------------------------------------------------------------------
// Header, menu and routing

const SCHERMEN = [
  { pad: 'lijst', naam: 'Lijst', rollen: ['operator'], toon: schermLijst },
  { pad: 'partners', naam: 'Partners', rollen: ['operator', 'privacy-officer', 'admin'], toon: schermPartners },
  { pad: 'afstemmen', naam: 'Afstemmen', rollen: ['operator'], toon: schermAfstemmen },
  { pad: 'overzicht', naam: 'Overzicht', rollen: ['operator'], toon: schermOverzicht },
  { pad: 'regio', naam: 'Regio', rollen: ['operator'], toon: schermRegio },
  { pad: 'rapportage', naam: 'Rapportage', rollen: ['operator'], toon: schermRapportage },
  { pad: 'logboek', naam: 'Logboek', rollen: ['privacy-officer'], toon: schermLogboek },
  { pad: 'mensen', naam: 'Mensen', rollen: ['admin'], toon: schermMensen },
  // Not in the menu: reached from the link beside the person's name.
  { pad: 'wachtwoord', naam: 'Wachtwoord wijzigen', rollen: ['operator', 'privacy-officer', 'admin'], toon: schermWachtwoord, verborgen: true },
];
const START = { operator: 'lijst', 'privacy-officer': 'logboek', admin: 'mensen' };

function toonKop() {
  const me = state.me;
  $('#knooppunt').textContent = me && me.knooppunt ? `— ${text(me.knooppunt.naam)}` : '';
  $('#gebruiker').hidden = !me;
  $('#menu').hidden = !me;
  const lijst = clear($('#menu-lijst'));
  if (!me) return;
  $('#gebruiker-naam').textContent = me.naam;
  $('#gebruiker-rol').textContent = rolNaam(me.rol);
  for (const s of SCHERMEN.filter((x) => x.rollen.includes(me.rol) && !x.verborgen)) {
    lijst.append(h('li', {}, h('a', { href: `#/${s.pad}`, 'data-pad': s.pad }, s.naam)));
  }
}

function markeerMenu(pad) {
  for (const a of document.querySelectorAll('#menu-lijst a')) {
    if (a.dataset.pad === pad) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
}

let loginMelding = null;
function naarLogin(melding) {
  loginMelding = melding || null;
  toonKop();
  if (location.hash !== '#/inloggen') location.hash = '#/inloggen'; else route();
}

async function route() {
  document.body.classList.remove('afdruk-inzage');
  const hash = location.hash || '';
  if (!hash.startsWith('#/') && hash !== '') return; // e.g. the skip link's target
  const delen = hash.slice(2).split('/').map(decodeURIComponent);
  const pad = delen[0] || '';
  if (pad === 'uitnodiging') return schermUitnodiging(delen[1] || '');
  if (pad === 'inloggen') {
    if (state.me) { location.hash = `#/${START[state.me.rol] || 'partners'}`; return; }
    return schermInloggen();
  }
  if (!state.me) {
    if (!state.csrf) return naarLogin();
    try {
      const me = await api('GET', '/api/ik', { loginPagina: true });
      state.me = me;
      bewaarCsrf(me.csrf);
      toonKop();
    } catch (e) {
      if (e.status === 401) return naarLogin();
      return toonFout(scherm('inbeeld'), e, 'inbeeld is niet bereikbaar');
    }
  }
  const s = SCHERMEN.find((x) => x.pad === pad);
  if (!s) { location.hash = `#/${START[state.me.rol] || 'partners'}`; return; }
  markeerMenu(s.pad);
  if (!s.rollen.includes(state.me.rol)) {
    scherm(s.naam);
    main().append(blok('fout', 'Geen toegang voor uw rol', h('p', {}, `Als ${rolNaam(state.me.rol).toLowerCase()} kunt u dit scherm niet gebruiken.`)));
    return;
  }
  try {
    await s.toon(delen.slice(1));
  } catch (e) {
    if (e instanceof ApiFout) {
      if (e.status !== 401) toonFout(main(), e);
    } else {
      console.error(e);
      toonFout(main(), new ApiFout(0, 'Er ging iets mis op deze pagina. Laad de pagina opnieuw.'));
    }
  }
}

// ---------------------------------------------------------------------------
// Login, invitation, logout

function schermInloggen() {
  const m = scherm('Inloggen', 'Log in met de naam en het wachtwoord die u bij uw uitnodiging hebt gekozen.');
  const melding = h('div', {});
  if (loginMelding) { melding.append(blok('', null, h('p', {}, loginMelding))); loginMelding = null; }
  const samenvatting = h('div', {});
  const naam = veld('Naam', { id: 'naam', autocomplete: 'username' });
  const ww = veld('Wachtwoord', { id: 'wachtwoord', type: 'password', autocomplete: 'current-password' });
  const form = h('form', { novalidate: true }, naam.wrap, ww.wrap, h('div', { class: 'knoppen' }, knop('Inloggen', null, { type: 'submit', id: 'inloggen' })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    naam.fout(null); ww.fout(null);
    const fouten = [];
    if (!naam.input.value.trim()) fouten.push({ veld: naam, melding: 'Vul uw naam in.' });
    if (!ww.input.value) fouten.push({ veld: ww, melding: 'Vul uw wachtwoord in.' });
    if (!foutSamenvatting(samenvatting, fouten)) return;
    await bezig($('#inloggen'), async () => {
      try {
        const r = await api('POST', '/api/inloggen', { json: { naam: naam.input.value.trim(), wachtwoord: ww.input.value }, loginPagina: true });
        await ingelogd(r);
      } catch (err) {
        ww.input.value = '';
        toonFout(samenvatting, err, 'Inloggen is niet gelukt');
      }
    });
  });
  m.append(melding, samenvatting, form);
}

// After login or invitation: fetch who we are (with the node) and go to the
// person's first screen.
async function ingelogd(r) {
  bewaarCsrf(r.csrf);
  try {
    state.me = await api('GET', '/api/ik');
    bewaarCsrf(state.me.csrf || r.csrf);
  } catch {
    state.me = { naam: r.naam, rol: r.rol, csrf: r.csrf };
  }
  toonKop();
  meld(`Ingelogd als ${state.me.naam}.`);
  location.hash = `#/${START[state.me.rol] || 'partners'}`;
}

async function schermWachtwoord() {
  const m = scherm('Wachtwoord wijzigen', 'Kies een nieuw wachtwoord. U blijft hier ingelogd; op andere computers en in andere vensters wordt u uitgelogd.');
  const samenvatting = h('div', {});
  const uitkomst = h('div', { 'aria-live': 'polite' });
  const oud = veld('Huidig wachtwoord', { id: 'huidig-wachtwoord', type: 'password', autocomplete: 'current-password' });
  const nieuw = veld('Nieuw wachtwoord', { id: 'nieuw-wachtwoord', type: 'password', autocomplete: 'new-password', hint: 'Minstens 12 tekens, niet uw naam. Een zin van een paar woorden is lang en goed te onthouden.' });
  const nieuw2 = veld('Herhaal het nieuwe wachtwoord', { id: 'herhaal-wachtwoord', type: 'password', autocomplete: 'new-password' });
  const form = h('form', { novalidate: true }, oud.wrap, nieuw.wrap, nieuw2.wrap,
    h('div', { class: 'knoppen' }, knop('Wachtwoord wijzigen', null, { type: 'submit', id: 'wachtwoord-wijzigen' })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const v of [oud, nieuw, nieuw2]) v.fout(null);
    clear(uitkomst);
    const fouten = [];
    if (!oud.input.value) fouten.push({ veld: oud, melding: 'Vul uw huidige wachtwoord in.' });
    if (nieuw.input.value.length < 12) fouten.push({ veld: nieuw, melding: 'Kies een nieuw wachtwoord van minstens 12 tekens.' });
    if (nieuw.input.value !== nieuw2.input.value) fouten.push({ veld: nieuw2, melding: 'De twee nieuwe wachtwoorden zijn niet gelijk.' });
    if (!foutSamenvatting(samenvatting, fouten)) return;
    await bezig($('#wachtwoord-wijzigen'), async () => {
      try {
        await api('POST', '/api/wachtwoord', { json: { huidig: oud.input.value, nieuw: nieuw.input.value } });
        form.reset();
        uitkomst.append(blok('goed', 'Uw wachtwoord is gewijzigd', h('p', { id: 'wachtwoord-gewijzigd' }, 'Gebruik voortaan het nieuwe wachtwoord.')));
      } catch (err) {
        toonFout(samenvatting, err, 'Het wachtwoord is niet gewijzigd');
      }
    });
  });
  m.append(uitkomst, samenvatting, form);
}

async function schermUitnodiging(token) {
  const m = scherm('Uitnodiging');
  const plek = h('div', {});
  m.append(plek);
  let uitnodiging;
  try {
    uitnodiging = await api('GET', `/api/uitnodiging/${encodeURIComponent(token)}`, { loginPagina: true });
  } catch (e) {
    toonFout(plek, e, 'Deze uitnodiging werkt niet (meer)');
    plek.append(h('p', {}, 'Vraag de beheerder van inbeeld om een nieuwe uitnodiging, of ', h('a', { href: '#/inloggen' }, 'log in'), ' als u al een wachtwoord hebt.'));
    return;
  }
  plek.append(
    h('p', { class: 'inleiding' }, `Welkom, ${uitnodiging.naam}. U bent uitgenodigd als ${rolNaam(uitnodiging.rol).toLowerCase()}. Kies een wachtwoord om te beginnen.`),
    blok('', 'Eisen aan het wachtwoord', h('ul', { id: 'wachtwoordregels' },
      h('li', {}, 'minstens 12 tekens;'),
      h('li', {}, 'niet uw naam;'),
      h('li', {}, 'geen wachtwoord dat veel gebruikt wordt (zoals "welkom12345678").')),
    h('p', {}, 'Tip: een zin van een paar woorden is lang en goed te onthouden.')));
  const samenvatting = h('div', {});
  const ww = veld('Nieuw wachtwoord', { id: 'nieuw-wachtwoord', type: 'password', autocomplete: 'new-password' });
  const ww2 = veld('Herhaal het wachtwoord', { id: 'herhaal-wachtwoord', type: 'password', autocomplete: 'new-password' });
  // The account's name, for password managers.
  const naamVeld = h('input', { type: 'text', autocomplete: 'username', value: uitnodiging.naam, hidden: true, 'aria-hidden': 'true', tabindex: '-1' });
  const form = h('form', { novalidate: true }, naamVeld, ww.wrap, ww2.wrap,
    h('div', { class: 'knoppen' }, knop('Wachtwoord opslaan en inloggen', null, { type: 'submit', id: 'wachtwoord-opslaan' })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    ww.fout(null); ww2.fout(null);
    const w = ww.input.value;
    const fouten = [];
    if (w.length < 12) fouten.push({ veld: ww, melding: 'Kies een wachtwoord van minstens 12 tekens.' });
    else if (w.toLowerCase().includes(String(uitnodiging.naam).toLowerCase())) fouten.push({ veld: ww, melding: 'Uw wachtwoord mag uw naam niet bevatten.' });
    if (w !== ww2.input.value) fouten.push({ veld: ww2, melding: 'De twee wachtwoorden zijn niet gelijk.' });
    if (!foutSamenvatting(samenvatting, fouten)) return;
    await bezig($('#wachtwoord-opslaan'), async () => {
      try {
        const r = await api('POST', `/api/uitnodiging/${encodeURIComponent(token)}`, { json: { wachtwoord: w }, loginPagina: true });
        await ingelogd(r);
      } catch (err) {
        toonFout(samenvatting, err, 'Dit wachtwoord kan niet');
      }
    });
  });
  plek.append(samenvatting, form);
}

async function uitloggen() {
  try { await api('POST', '/api/uitloggen', { loginPagina: true }); } catch { /* logged out either way */ }
  state.me = null;
  bewaarCsrf(null);
  naarLogin('U bent uitgelogd.');
}

// ---------------------------------------------------------------------------
// Lijst

async function schermLijst() {
  const m = scherm('Lijst', 'Uw lijst met thuiszitters: lees een nieuwe versie in en zie hoeveel kinderen er op staan.');
  const invoer = h('section', { 'aria-labelledby': 'kop-inlezen' });
  const overzicht = h('section', { 'aria-labelledby': 'kop-lijst' });
  m.append(invoer, overzicht);
  toonInlezen(invoer, () => toonLijst(overzicht));
  await toonLijst(overzicht);
}

async function toonLijst(plek) {
  laden(plek);
  let lijst;
  try {
    lijst = await api('GET', '/api/lijst');
  } catch (e) {
    clear(plek).append(h('h2', { id: 'kop-lijst' }, 'Huidige lijst'));
    if (e.status === 404) { plek.append(h('p', { id: 'geen-lijst' }, 'Er is nog geen lijst ingelezen.')); return; }
    throw e;
  }
  clear(plek).append(
    h('h2', { id: 'kop-lijst' }, 'Huidige lijst'),
    h('ul', { class: 'cijfers', id: 'lijst-cijfers' },
      h('li', {}, h('span', { class: 'getal-groot', id: 'lijst-totaal' }, text(lijst.totaal)), 'kinderen op de lijst'),
      h('li', {}, h('span', { class: 'getal-groot' }, text(lijst.met_aanbod)), 'met een aanbod'),
      h('li', {}, h('span', { class: 'getal-groot' }, text(lijst.zonder_pgn)), 'zonder BSN of onderwijsnummer')),
    h('dl', { class: 'gegevens' },
      h('dt', {}, 'Versie'), h('dd', {}, text(lijst.versie)),
      h('dt', {}, 'Lijstdatum'), h('dd', {}, text(lijst.lijstdatum)),
      h('dt', {}, 'Ingelezen op'), h('dd', {}, tijd(lijst.geimporteerd))),
    tabel('Per categorie', ['Categorie', 'Aantal'], (lijst.per_categorie || []).map((r) => [categorie(r.categorie), text(r.aantal)]), { id: 'per-categorie', getallen: [1] }),
    tabel('Hoe lang al thuis', ['Duur', 'Aantal'], (lijst.per_duur || []).map((r) => [duur(r.duur), text(r.aantal)]), { id: 'per-duur', getallen: [1] }));
  const over = lijst.over_termijn || [];
  plek.append(h('h3', {}, 'Langer dan drie maanden thuis, zonder aanbod'));
  if (over.length) {
    plek.append(h('p', {}, `${over.length} ${over.length === 1 ? 'kind zit' : 'kinderen zitten'} langer dan drie maanden thuis zonder aanbod. Volgens het thuiszitterspact moet er binnen drie maanden een aanbod zijn.`),
      tabel('Kinderen langer dan drie maanden thuis zonder aanbod', ['Referentie', 'Categorie', 'Thuis sinds', 'Weken'],
        over.map((r) => [text(r.referentie), categorie(r.categorie), text(r.sinds), text(r.weken)]), { id: 'over-termijn', getallen: [3], verborgenBijschrift: true }));
  } else {
    plek.append(h('p', {}, 'Geen kinderen: iedereen die langer dan drie maanden thuis zit, heeft een aanbod.'));
  }
  const rijenPlek = h('div', {});
  const toonKnop = knop('Toon de kinderen op de lijst', async () => {
    await bezig(toonKnop, async () => {
      const r = await api('GET', '/api/lijst/rijen');
      toonKnop.hidden = true;
      clear(rijenPlek).append(tabel('Kinderen op de lijst', ['Referentie', 'Naam', 'Geboortedatum', 'Categorie', 'Thuis sinds', 'Weken', 'School', 'Aanbod'],
        (r.rijen || []).map((x) => [text(x.referentie), text(x.naam), text(x.geboortedatum), categorie(x.categorie), text(x.sinds), text(x.weken), text(x.school), janee(x.aanbod)]),
        { id: 'lijst-rijen', getallen: [5] }));
    }).catch((e) => toonFout(rijenPlek, e));
  }, { tweede: true, id: 'toon-rijen' });
  plek.append(h('h3', {}, 'Kinderen'), h('p', {}, 'Namen en geboortedata staan alleen op dit knooppunt. Toon ze alleen als u ze nodig hebt.'),
    h('div', { class: 'knoppen' }, toonKnop), rijenPlek);
  plek.append(h('h3', {}, 'Eerdere versies'),
    tabel('Versies van de lijst', ['Versie', 'Lijstdatum', 'Ingelezen op', 'Rijen'],
      (lijst.versies || []).map((v) => [text(v.versie), text(v.lijstdatum), tijd(v.geimporteerd), text(v.rijen)]), { id: 'versies', getallen: [3], verborgenBijschrift: true }));
}

function toonInlezen(plek, naInlezen) {
  const meldingen = h('div', { id: 'inlees-meldingen' });
  const input = h('input', { type: 'file', id: 'bestand', accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'aria-describedby': 'bestand-hint' });
  const koppelPlek = h('div', { id: 'koppeling-plek' });
  const vlak = h('div', { class: 'sleepvlak', id: 'sleepvlak' },
    h('p', {}, 'Sleep uw bestand hierheen, of kies het met de knop hieronder.'),
    h('label', { for: 'bestand', class: 'label' }, 'Kies een bestand'),
    h('span', { class: 'hint', id: 'bestand-hint' }, 'Een CSV-bestand of een Excel-bestand (.xlsx), zoals uw leerlingsysteem het maakt.'),
    input);
  const kies = (file) => { if (file) bekijkBestand(file, koppelPlek, meldingen, naInlezen); };
  input.addEventListener('change', () => kies(input.files[0]));
  vlak.addEventListener('dragover', (e) => { e.preventDefault(); vlak.classList.add('erboven'); });
  vlak.addEventListener('dragleave', () => vlak.classList.remove('erboven'));
  vlak.addEventListener('drop', (e) => {
    e.preventDefault();
    vlak.classList.remove('erboven');
    kies(e.dataTransfer && e.dataTransfer.files[0]);
  });
  plek.append(h('h2', { id: 'kop-inlezen' }, 'Nieuwe lijst inlezen'),
    h('p', {}, 'Gaat er iets mis in het bestand, dan ziet u per regel en kolom wat er mis is. Er wordt dan niets opgeslagen: uw huidige lijst blijft zoals hij was.'),
    vlak, meldingen, koppelPlek);
}

const bestandsnaam = (file) => encodeURIComponent(file.name || 'lijst');

async function bekijkBestand(file, plek, meldingen, naInlezen) {
  clear(meldingen);
  laden(plek);
  let voorbeeld;
  try {
    voorbeeld = await api('POST', '/api/lijst/voorbeeld', { body: file, headers: { 'Content-Type': 'application/octet-stream', 'X-Bestandsnaam': bestandsnaam(file) } });
  } catch (e) {
    clear(plek);
    toonFout(meldingen, e, 'Dit bestand kan niet gelezen worden');
    return;
  }
  toonKoppeling(file, voorbeeld, plek, meldingen, naInlezen);
}

// The mapping step: one select per column of the file, proposed by the server.
function toonKoppeling(file, voorbeeld, plek, meldingen, naInlezen) {
  const velden = voorbeeld.velden || [];
  const kolommen = voorbeeld.kolommen || [];
  const voorstel = voorbeeld.koppeling || {};
  const samenvatting = h('div', {});
  const keuzes = kolommen.map((kolom, i) => {
    const id = `kolom-${i}`;
    const select = h('select', { id, 'data-kolom': kolom },
      h('option', { value: '' }, '— niet gebruiken —'),
      velden.map((v) => h('option', { value: v.veld, selected: voorstel[kolom] === v.veld }, `${v.label || v.veld}${v.verplicht ? ' (verplicht)' : ''}`)));
    const foutEl = h('span', { class: 'veld-fout', id: `${id}-fout`, hidden: true });
    return {
      kolom, select, foutEl,
      veld: { input: select, fout(msg) {
        foutEl.textContent = msg || '';
        foutEl.hidden = !msg;
        if (msg) { select.setAttribute('aria-invalid', 'true'); select.setAttribute('aria-describedby', foutEl.id); } else { select.removeAttribute('aria-invalid'); select.removeAttribute('aria-describedby'); }
      } },
    };
  });
  const datum = datumVeld('Lijstdatum', vandaag(), 'lijstdatum');
  const form = h('form', { novalidate: true, id: 'koppeling' },
    h('h3', {}, `Kolommen van ${file.name || 'het bestand'}`),
    voorbeeld.onthouden
      ? h('p', {}, 'Dit bestand heeft dezelfde kolommen als de vorige keer. De keuzes van toen zijn ingevuld; controleer ze.')
      : h('p', {}, 'Kies bij elke kolom welk gegeven erin staat. inbeeld heeft een voorstel gedaan. Kolommen die u niet nodig hebt, kunt u op "niet gebruiken" laten staan. inbeeld onthoudt uw keuze voor de volgende keer.'),
    tabelVak('Kolommen en gegevens', h('table', { id: 'koppeltabel' },
      h('caption', { class: 'visueel-verborgen' }, 'Kolommen en gegevens'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Kolom in uw bestand'), h('th', { scope: 'col' }, 'Gegeven in inbeeld'))),
      h('tbody', {}, keuzes.map((k) => h('tr', {},
        h('th', { scope: 'row' }, h('label', { for: k.select.id }, k.kolom)),
        h('td', {}, k.foutEl, k.select)))))),
    datum.wrap,
    h('div', { class: 'knoppen' }, knop('Lijst inlezen', null, { type: 'submit', id: 'lijst-inlezen' }),
      knop('Annuleren', () => { clear(plek); clear(meldingen); $('#bestand').value = ''; $('#bestand').focus(); }, { tweede: true })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const k of keuzes) k.veld.fout(null);
    datum.fout(null);
    const fouten = [];
    const gekozen = new Map();
    for (const k of keuzes) {
      if (!k.select.value) continue;
      if (gekozen.has(k.select.value)) fouten.push({ veld: k.veld, melding: `Kolom "${k.kolom}": dit gegeven is al gekozen bij kolom "${gekozen.get(k.select.value)}".` });
      else gekozen.set(k.select.value, k.kolom);
    }
    for (const v of velden.filter((x) => x.verplicht && !gekozen.has(x.veld))) {
      fouten.push({ veld: keuzes[0] ? keuzes[0].veld : datum, melding: `Kies bij een van de kolommen "${v.label || v.veld}": dat gegeven is verplicht.` });
    }
    if (!geldigeDatum(datum.input.value.trim())) fouten.push({ veld: datum, melding: 'Vul de lijstdatum in als dd-mm-jjjj.' });
    if (!foutSamenvatting(samenvatting, fouten)) return;
    const koppeling = {};
    // By position: short, and no column names in a request header.
    keuzes.forEach((k, i) => { koppeling[String(i)] = k.select.value || null; });
    await bezig($('#lijst-inlezen'), async () => {
      try {
        const r = await api('POST', `/api/lijst/import?lijstdatum=${encodeURIComponent(datum.input.value.trim())}`, {
          body: file,
          headers: { 'Content-Type': 'application/octet-stream', 'X-Bestandsnaam': bestandsnaam(file), 'X-Koppeling': encodeURIComponent(JSON.stringify(koppeling)) },
        });
        clear(plek);
        clear(meldingen);
        const b = blok('goed', 'De lijst is ingelezen', h('p', { id: 'inlees-resultaat' }, `${text(r.rijen)} ${r.rijen === 1 ? 'kind' : 'kinderen'} ingelezen als versie ${text(r.versie)}.`));
        b.tabIndex = -1;
        meldingen.append(b);
        $('#bestand').value = '';
        await naInlezen();
        b.focus();
      } catch (err) {
        const b = toonFout(samenvatting, err, 'De lijst is niet ingelezen');
        if (err.status === 422) b.append(h('p', { id: 'niets-opgeslagen' }, 'Er is niets opgeslagen. Verbeter het bestand en kies het opnieuw, of pas de kolommen hierboven aan.'));
      }
    });
  });
  clear(plek).append(samenvatting, form);
  const eerste = keuzes[0] ? keuzes[0].select : datum.input;
  eerste.focus();
}

// ---------------------------------------------------------------------------
// Partners

// A safety code in groups, big, so both sides can read it aloud.
function veiligheidscode(code, id) {
  const s = String(code || '');
  let groepen = s.split(/[\s-]+/).filter(Boolean);
  if (groepen.length <= 1) groepen = s.match(/.{1,4}/g) || [];
  return h('p', { class: 'veiligheidscode', id, 'aria-label': `Veiligheidscode: ${groepen.join(', ')}` }, groepen.map((g) => h('span', {}, g)));
}

async function schermPartners() {
  const m = scherm('Partners', 'De partners waarmee dit knooppunt lijsten mag vergelijken, en wat er met elk van hen gedeeld mag worden.');
  const [p, doelen] = await Promise.all([api('GET', '/api/partners'), api('GET', '/api/doelen').catch(() => [])]);
  const mag = state.me.rol === 'operator' || state.me.rol === 'admin';
  const kn = state.me.knooppunt;
  if (kn) {
    m.append(h('section', { class: 'kaart', 'aria-labelledby': 'kop-eigen' },
      h('h2', { id: 'kop-eigen' }, 'Dit knooppunt'),
      h('dl', { class: 'gegevens' },
        h('dt', {}, 'Naam'), h('dd', {}, text(kn.naam)),
        h('dt', {}, 'Organisatie'), h('dd', {}, text(kn.organisatie)),
        h('dt', {}, 'Sleutel'), h('dd', {}, h('span', { class: 'sleutel' }, text(kn.sleutel)))),
      h('p', { class: 'label' }, 'Veiligheidscode van dit knooppunt'),
      veiligheidscode(kn.veiligheidscode, 'eigen-code')));
  }
  const partners = p.partners || [];
  m.append(h('h2', {}, 'Gekoppelde partners'));
  if (!partners.length) m.append(h('p', {}, 'Er zijn nog geen partners gekoppeld.'));
  for (const [i, pa] of partners.entries()) {
    const uitslag = h('p', { 'aria-live': 'polite', id: `bereik-${i}` });
    const knopB = mag ? knop('Bereikbaarheid controleren', async () => {
      await bezig(knopB, async () => {
        uitslag.textContent = 'Bezig met controleren…';
        try {
          const r = await api('POST', `/api/partners/${encodeURIComponent(pa.naam)}/bereikbaarheid`);
          uitslag.textContent = r.bereikbaar ? `Bereikbaar.${r.melding ? ` ${r.melding}` : ''}` : `Niet bereikbaar: ${text(r.melding)}`;
        } catch (e) { uitslag.textContent = e.message; }
      });
    }, { tweede: true }) : null;
    const doelenPa = pa.doelen || [];
    m.append(h('section', { class: 'kaart partner', 'aria-labelledby': `partner-${i}` },
      h('h3', { id: `partner-${i}` }, text(pa.naam)),
      h('dl', { class: 'gegevens' },
        h('dt', {}, 'Adres'), h('dd', {}, text(pa.adres)),
        h('dt', {}, 'Sleutel'), h('dd', {}, h('span', { class: 'sleutel' }, text(pa.sleutel))),
        h('dt', {}, 'Doelen'), h('dd', {}, doelenPa.length ? h('ul', {}, doelenPa.map((d) => h('li', {}, `${text(d.naam || d.id)} — grondslag: ${text(d.grondslag)}`))) : 'geen'),
        h('dt', {}, 'Wat mag'), h('dd', {}, pa.alleen_tellen ? 'Alleen tellen: hoeveel kinderen beide lijsten delen, geen namen of codes.' : 'Vergelijken en tellen.'),
        h('dt', {}, 'Gedeelde gegevens'), h('dd', {}, text((pa.velden || []).map((v) => VERSCHILLEN[v] || v))),
        h('dt', {}, 'Laatste uitwisseling'), h('dd', {}, pa.laatste_uitwisseling ? `${tijd(pa.laatste_uitwisseling)} (${text(pa.laatste_status)})` : 'nog geen')),
      h('p', { class: 'label' }, 'Veiligheidscode'), veiligheidscode(pa.veiligheidscode),
      knopB ? h('div', { class: 'knoppen' }, knopB) : null, uitslag));
  }
  if (state.me.rol === 'admin') toonPartnerToevoegen(m, Array.isArray(doelen) ? doelen : doelen.doelen || []);
}

function toonPartnerToevoegen(m, doelen) {
  const samenvatting = h('div', {});
  const uitkomst = h('div', {});
  const naam = veld('Korte naam', { id: 'partner-naam', hint: 'Kleine letters, cijfers en streepjes, bijvoorbeeld swv-vo-zk.' });
  const adres = veld('Adres', { id: 'partner-adres', hint: 'Host en poort van de partner, bijvoorbeeld swv.example.nl:8443.' });
  const sleutel = veld('Sleutel', { id: 'partner-sleutel', hint: 'De sleutel die de partner u gaf (begint met ed25519:).' });
  const rolKeuze = h('select', { id: 'partner-rol' },
    [['leerplicht', 'Leerplicht (gemeente)'], ['swv', 'Samenwerkingsverband'], ['school', 'School']]
      .map(([waarde, label]) => h('option', { value: waarde }, label)));
  const rolVak = h('div', { class: 'veld' }, h('label', { for: 'partner-rol' }, 'Soort partner'), rolKeuze);
  const doelVak = h('fieldset', {}, h('legend', {}, 'Doelen waarvoor u met deze partner uitwisselt'),
    doelen.map((d, i) => h('div', { class: 'keuze' }, h('input', { type: 'checkbox', id: `doel-${i}`, value: d.id, checked: i === 0 }),
      h('label', { for: `doel-${i}` }, `${text(d.naam || d.id)} (grondslag: ${text(d.grondslag)})`))));
  const form = h('form', { novalidate: true }, naam.wrap, adres.wrap, sleutel.wrap, rolVak, doelVak,
    h('div', { class: 'knoppen' }, knop('Partner toevoegen', null, { type: 'submit', id: 'partner-toevoegen' })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const v of [naam, adres, sleutel]) v.fout(null);
    const fouten = [];
    if (!/^[a-z0-9-]+$/.test(naam.input.value.trim())) fouten.push({ veld: naam, melding: 'Vul een korte naam in met alleen kleine letters, cijfers en streepjes.' });
    if (!/^.+:\d+$/.test(adres.input.value.trim())) fouten.push({ veld: adres, melding: 'Vul het adres in als host:poort.' });
    if (!sleutel.input.value.trim()) fouten.push({ veld: sleutel, melding: 'Vul de sleutel van de partner in.' });
    if (!foutSamenvatting(samenvatting, fouten)) return;
    const gekozen = [...doelVak.querySelectorAll('input:checked')].map((x) => x.value);
    await bezig($('#partner-toevoegen'), async () => {
      try {
        const r = await api('POST', '/api/partners', { json: { naam: naam.input.value.trim(), adres: adres.input.value.trim(), sleutel: sleutel.input.value.trim(), rol: rolKeuze.value, doelen: gekozen } });
        clear(uitkomst).append(blok('goed', `Partner ${text(r.naam)} is toegevoegd`,
          h('p', {}, 'Bel de partner en lees samen deze veiligheidscode hardop voor. Ziet de partner een andere code, verwijder de partner dan en controleer de sleutel.'),
          veiligheidscode(r.veiligheidscode, 'nieuwe-code'),
          r.melding ? h('p', {}, text(r.melding)) : null));
        uitkomst.firstChild.tabIndex = -1;
        uitkomst.firstChild.focus();
      } catch (err) { toonFout(samenvatting, err, 'De partner is niet toegevoegd'); }
    });
  });
  m.append(h('h2', {}, 'Partner toevoegen'), h('p', {}, 'Vraag de partner om de sleutel van zijn knooppunt. Na het toevoegen ziet u een veiligheidscode: lees die samen hardop voor.'),
    uitkomst, samenvatting, form);
}

// ---------------------------------------------------------------------------
// Afstemmen

async function schermAfstemmen(delen) {
  if (delen[0]) return schermSessie(delen[0]);
  const m = scherm('Afstemmen', 'Vergelijk uw lijst met die van een partner: u ziet welke van uw kinderen de partner ook kent. De partner ziet alleen welke van zijn eigen kinderen u kent.');
  const [p, s] = await Promise.all([api('GET', '/api/partners'), api('GET', '/api/sessies')]);
  const partners = p.partners || [];
  const samenvatting = h('div', {});
  const voortgang = h('div', { id: 'voortgang', 'aria-live': 'polite' });
  const partnerSelect = h('select', { id: 'afstem-partner' }, partners.map((x) => h('option', { value: x.naam }, text(x.naam))));
  const doelSelect = h('select', { id: 'afstem-doel' });
  const vulDoelen = () => {
    const pa = partners.find((x) => x.naam === partnerSelect.value);
    append(clear(doelSelect), ((pa && pa.doelen) || []).map((d) => h('option', { value: d.id }, text(d.naam || d.id))));
  };
  partnerSelect.addEventListener('change', vulDoelen);
  vulDoelen();
  const soorten = [
    ['match', 'Vergelijken', 'Welke kinderen kennen we allebei? U ziet per kind een paarcode, de zekerheid en de verschillen.'],
    ['tellen', 'Alleen tellen', 'Hoeveel kinderen staan op beide lijsten? Er worden geen codes of gegevens gedeeld.'],
    ['sync', 'Afstemmen met alle partners', 'Vergelijken met elke partner waarmee dat is afgesproken.'],
  ];
  const soortVak = h('fieldset', {}, h('legend', {}, 'Wat wilt u doen?'),
    soorten.map(([v, l, uitleg], i) => h('div', { class: 'keuze' },
      h('input', { type: 'radio', name: 'soort', id: `soort-${v}`, value: v, checked: i === 0, 'aria-describedby': `soort-${v}-uitleg` }),
      h('div', {}, h('label', { for: `soort-${v}` }, l), h('span', { class: 'hint', id: `soort-${v}-uitleg` }, uitleg)))));
  const partnerVak = h('div', { class: 'veld' }, h('label', { for: 'afstem-partner' }, 'Partner'), partnerSelect);
  soortVak.addEventListener('change', () => { partnerVak.hidden = soortVak.querySelector('input:checked').value === 'sync'; });
  const form = h('form', { novalidate: true }, soortVak, partnerVak,
    h('div', { class: 'veld' }, h('label', { for: 'afstem-doel' }, 'Doel'), doelSelect),
    h('div', { class: 'knoppen' }, knop('Starten', null, { type: 'submit', id: 'afstem-start' })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const soortKeuze = soortVak.querySelector('input:checked').value;
    if (soortKeuze !== 'sync' && !partnerSelect.value) {
      foutSamenvatting(samenvatting, [{ veld: { input: partnerSelect, fout() {} }, melding: 'Kies een partner.' }]);
      return;
    }
    clear(samenvatting);
    const body = { soort: soortKeuze, doel: doelSelect.value || undefined };
    if (soortKeuze !== 'sync') body.partner = partnerSelect.value;
    await bezig($('#afstem-start'), async () => {
      try {
        const taak = await api('POST', '/api/taken', { json: body });
        const klaar = await volgTaak(taak.taak, voortgang);
        if (klaar && klaar.sessie) location.hash = `#/afstemmen/${encodeURIComponent(klaar.sessie)}`;
        else if (klaar) await toonSessies(sessiesPlek);
      } catch (err) { toonFout(samenvatting, err, 'Afstemmen is niet gelukt'); }
    });
  });
  const sessiesPlek = h('section', { 'aria-labelledby': 'kop-sessies' });
  m.append(samenvatting, form, voortgang, sessiesPlek);
  if (!partners.length) form.prepend(blok('let-op', null, h('p', {}, 'Er zijn nog geen partners. Vraag de beheerder om een partner toe te voegen.')));
  toonSessieLijst(sessiesPlek, s.sessies || []);
}

// Polls /api/taken/ID until it is done. Shows the step in an aria-live area.
// Resolves to the task when it finished, or null when it failed (shown).
async function volgTaak(id, plek) {
  const stap = h('p', { id: 'taak-stap' }, 'Gestart…');
  clear(plek).append(blok('', 'Bezig', h('progress', { 'aria-label': 'Voortgang' }), stap));
  const begin = Date.now();
  for (;;) {
    const t = await api('GET', `/api/taken/${encodeURIComponent(id)}`);
    if (t.status === 'klaar') {
      clear(plek).append(blok('goed', 'Klaar', h('p', { id: 'taak-klaar' }, t.stap ? text(t.stap) : 'De taak is klaar.')));
      meld('Klaar.');
      return t;
    }
    if (t.status === 'mislukt') {
      clear(plek).append(blok('fout', 'Niet gelukt', h('p', { id: 'taak-fout' }, text(t.fout || t.stap))));
      return null;
    }
    stap.textContent = t.stap ? `${text(t.stap)}…` : 'Bezig…';
    const wacht = Date.now() - begin < 10000 ? 500 : 2000;
    await new Promise((r) => setTimeout(r, wacht));
  }
}

async function toonSessies(plek) {
  const s = await api('GET', '/api/sessies');
  toonSessieLijst(plek, s.sessies || []);
}

function toonSessieLijst(plek, sessies) {
  clear(plek).append(h('h2', { id: 'kop-sessies' }, 'Eerdere uitwisselingen'));
  if (!sessies.length) { plek.append(h('p', {}, 'Nog geen uitwisselingen.')); return; }
  plek.append(tabel('Eerdere uitwisselingen', ['Begonnen', 'Partner', 'Soort', 'Status', 'Op beide lijsten', h('span', { class: 'visueel-verborgen' }, 'Uitkomst')],
    sessies.map((x) => [tijd(x.start), text(x.partner), soort(x.soort), x.fout ? `${text(x.status)}: ${text(x.fout)}` : text(x.status), text(x.overlap),
      h('a', { href: `#/afstemmen/${encodeURIComponent(x.sessie)}` }, 'Bekijken', h('span', { class: 'visueel-verborgen' }, ` (${text(x.partner)}, ${tijd(x.start)})`))]),
    { id: 'sessies', getallen: [4], verborgenBijschrift: true }));
}

async function schermSessie(id) {
  const m = scherm('Uitkomst van de vergelijking');
  markeerMenu('afstemmen');
  const r = await api('GET', `/api/sessies/${encodeURIComponent(id)}`);
  const s = r.sessie || {};
  const paren = r.paren || [];
  m.append(h('p', {}, h('a', { href: '#/afstemmen' }, 'Terug naar Afstemmen')),
    h('dl', { class: 'gegevens' },
      h('dt', {}, 'Partner'), h('dd', {}, text(s.partner)),
      h('dt', {}, 'Doel'), h('dd', {}, text(s.doel)),
      h('dt', {}, 'Soort'), h('dd', {}, soort(s.soort)),
      h('dt', {}, 'Begonnen'), h('dd', {}, tijd(s.start)),
      h('dt', {}, 'Status'), h('dd', {}, s.fout ? `${text(s.status)}: ${text(s.fout)}` : text(s.status))),
    h('ul', { class: 'cijfers' },
      h('li', {}, h('span', { class: 'getal-groot' }, text(s.eigen_aantal)), 'op uw lijst'),
      h('li', {}, h('span', { class: 'getal-groot' }, text(s.partner_aantal)), 'op de lijst van de partner'),
      h('li', {}, h('span', { class: 'getal-groot', id: 'overlap' }, text(s.overlap)), 'op beide lijsten')));
  if (s.soort === 'tellen' || s.soort === 'count') {
    m.append(h('p', {}, 'Bij alleen tellen worden geen codes of gegevens gedeeld.'));
    return;
  }
  const pad = `/api/sessies/${encodeURIComponent(id)}`;
  m.append(h('h2', {}, 'Voor het casusoverleg'),
    h('p', {}, 'Bespreek een kind met de partner aan de hand van de paarcode: de partner ziet dezelfde code bij hetzelfde kind. Mail geen namen.'),
    h('div', { class: 'knoppen' },
      downloadKnop('Download voor Excel (.xlsx)', `${pad}/export.xlsx`, 'export-xlsx'),
      downloadKnop('Download als CSV', `${pad}/export.csv`, 'export-csv', true)));
  const meldPlek = h('div', { 'aria-live': 'polite', id: 'besluit-melding' });
  m.append(h('h2', {}, 'Kinderen die de partner ook kent'), meldPlek);
  if (!paren.length) { m.append(h('p', { id: 'geen-paren' }, 'De partner kent geen van de kinderen op uw lijst.')); return; }
  const mogelijk = paren.filter((x) => x.sterkte === 'mogelijk' && !x.besluit).length;
  if (mogelijk) m.append(blok('let-op', null, h('p', {}, `${mogelijk} ${mogelijk === 1 ? 'kind is' : 'kinderen zijn'} "mogelijk" gevonden: misschien hetzelfde kind, misschien een broer, zus of naamgenoot. Controleer het met de partner en geef daarna aan of het hetzelfde kind is.`)));
  const pv = (x) => x.partner || {};
  // Own value / the partner's, flagged in words (not only in colour) when they differ.
  const vergelijk = (x, veldnaam, eigen, partner) => {
    const verschilt = (x.verschillen || []).includes(veldnaam);
    return h('td', { class: verschilt ? 'verschil' : null }, h('span', { class: 'nowrap' }, eigen), h('br'),
      h('span', { class: 'klein' }, `partner: ${partner}`),
      verschilt ? [h('br'), h('span', { class: 'verschil-teken' }, 'verschilt')] : null);
  };
  const rijen = paren.map((x) => {
    const besluitCel = h('td', { class: 'besluit' });
    const vulBesluit = () => {
      clear(besluitCel);
      if (x.besluit) besluitCel.append(x.besluit === 'bevestigd' ? 'bevestigd: hetzelfde kind' : 'afgewezen: niet hetzelfde kind');
      else if (x.sterkte === 'mogelijk') {
        const kies = (besluit) => async (e) => {
          await bezig(e.currentTarget, async () => {
            try {
              const nieuw = await api('POST', `${pad}/paren/${encodeURIComponent(x.paarcode)}`, { json: { besluit } });
              Object.assign(x, nieuw && nieuw.paarcode ? nieuw : { besluit });
              if (!x.besluit) x.besluit = besluit;
              vulBesluit();
              meldPlek.textContent = `Kind ${x.paarcode}: ${besluit === 'bevestigd' ? 'bevestigd als hetzelfde kind' : 'afgewezen, niet hetzelfde kind'}.`;
              besluitCel.tabIndex = -1;
              besluitCel.focus();
            } catch (err) { meldPlek.textContent = err.message; }
          });
        };
        besluitCel.append(
          h('button', { type: 'button', class: 'knop knop-tweede', onclick: kies('bevestigd') }, 'Zelfde kind', h('span', { class: 'visueel-verborgen' }, ` (${x.paarcode})`)),
          h('button', { type: 'button', class: 'knop knop-tweede', onclick: kies('afgewezen') }, 'Niet hetzelfde kind', h('span', { class: 'visueel-verborgen' }, ` (${x.paarcode})`)));
      } else besluitCel.append('—');
    };
    vulBesluit();
    const verschillen = (x.verschillen || []).map((v) => VERSCHILLEN[v] || v);
    const tr = h('tr', { class: verschillen.length ? 'verschilt' : null, 'data-paarcode': x.paarcode, 'data-sterkte': x.sterkte },
      h('th', { scope: 'row' }, h('code', {}, text(x.paarcode))),
      h('td', {}, h('span', { class: `label-sterkte sterkte-${x.sterkte}` }, STERKTES[x.sterkte] || text(x.sterkte))),
      h('td', {}, text(x.referentie)),
      h('td', {}, text(x.naam)),
      h('td', { class: 'nowrap' }, text(x.geboortedatum)));
    for (const [veldnaam, eigen, partner] of [
      ['categorie', categorie(x.categorie), categorie(pv(x).categorie)],
      ['sinds', text(x.sinds), text(pv(x).sinds)],
      ['school', text(x.school), text(pv(x).school)],
      ['aanbod', janee(x.aanbod), janee(pv(x).aanbod)]]) {
      tr.append(vergelijk(x, veldnaam, eigen, pv(x)[veldnaam] === undefined ? 'niet gedeeld' : partner));
    }
    tr.append(h('td', {}, verschillen.length ? verschillen.join(', ') : 'geen'), besluitCel);
    return tr;
  });
  m.append(tabelVak('Kinderen die de partner ook kent', h('table', { id: 'paren' },
    h('caption', {}, `${paren.length} ${paren.length === 1 ? 'kind' : 'kinderen'}: uw gegevens, en daaronder die van de partner`),
    h('thead', {}, h('tr', {}, ['Paarcode', 'Zekerheid', 'Referentie', 'Naam', 'Geboortedatum', 'Categorie', 'Thuis sinds', 'School', 'Aanbod', 'Verschillen', 'Besluit'].map((k) => h('th', { scope: 'col' }, k)))),
    h('tbody', {}, rijen))));
}

// ---------------------------------------------------------------------------
// Overzicht

async function schermOverzicht() {
  const m = scherm('Overzicht', 'Elk kind op uw lijst: welke partners het ook kennen, en wat er veranderde sinds de vorige afstemming.');
  const o = await api('GET', '/api/overzicht');
  const kinderen = o.kinderen || [];
  m.append(h('dl', { class: 'gegevens' },
    h('dt', {}, 'Versie van uw lijst'), h('dd', {}, text(o.lijstversie)),
    h('dt', {}, 'Peildatum'), h('dd', {}, text(o.peildatum)),
    h('dt', {}, 'Partners'), h('dd', {}, text(o.partners))));
  if (!kinderen.length) { m.append(h('p', {}, 'Er staan nog geen kinderen op uw lijst.')); return; }
  const veranderd = (k) => (k.nieuw_gevonden || []).length || (k.niet_meer_gevonden || []).length || k.nieuw_op_lijst;
  const alleen = h('input', { type: 'checkbox', id: 'alleen-veranderd' });
  const plek = h('div', {});
  const teken = () => {
    const rijen = kinderen.filter((k) => !alleen.checked || veranderd(k));
    const wat = (k) => {
      const d = [];
      if (k.nieuw_op_lijst) d.push('nieuw op uw lijst');
      if ((k.nieuw_gevonden || []).length) d.push(`nu ook bekend bij ${text(k.nieuw_gevonden)}`);
      if ((k.niet_meer_gevonden || []).length) d.push(`niet meer bekend bij ${text(k.niet_meer_gevonden)}`);
      return d.length ? d.join('; ') : 'niets';
    };
    clear(plek).append(tabel('Kinderen op uw lijst', ['Referentie', 'Categorie', 'Thuis sinds', 'Aanbod', 'Ook bekend bij', 'Mogelijk bekend bij', 'Veranderd', 'Meer dan 3 maanden zonder aanbod', 'Verschil met partners'],
      rijen.map((k) => [text(k.referentie), categorie(k.categorie), text(k.sinds), janee(k.aanbod),
        k.bij_niemand_bekend ? 'bij geen partner' : text(k.partners), text(k.mogelijk), wat(k), k.over_termijn ? 'ja' : 'nee', text(k.verschil)]),
      { id: 'overzicht' }));
  };
  alleen.addEventListener('change', teken);
  m.append(h('div', { class: 'keuze' }, alleen, h('label', { for: 'alleen-veranderd' }, 'Alleen kinderen waarbij iets veranderde')), plek);
  teken();
}

// ---------------------------------------------------------------------------
// Regio

async function schermRegio() {
  const m = scherm('Regio', 'Aantallen thuiszitters in de regio, samen geteld met de partners zonder dat iemand een lijst van een ander ziet. Kleine aantallen (1 tot en met 4) staan er als "<5".');
  const [r, p] = await Promise.all([api('GET', '/api/regio'), api('GET', '/api/partners')]);
  const tellingen = r.tellingen || [];
  const cats = [];
  for (const t of tellingen) for (const c of t.per_categorie || []) if (!cats.includes(c.categorie)) cats.push(c.categorie);
  if (tellingen.length) {
    m.append(tabel('Regionale tellingen', ['Datum', 'Deelnemers', 'Totaal', 'Op één lijst', 'Mogelijk dubbel', ...cats.map(categorie)],
      tellingen.map((t) => {
        const per = Object.fromEntries((t.per_categorie || []).map((c) => [c.categorie, c.aantal]));
        return [text(t.datum), text(t.deelnemers), text(t.totaal), text(t.op_een_lijst), text(t.mogelijk), ...cats.map((c) => text(per[c]))];
      }), { id: 'regio', getallen: [2, 3, 4, ...cats.map((_, i) => 5 + i)] }));
  } else {
    m.append(h('p', {}, 'Er is nog geen regionale telling gedaan.'));
  }
  const partners = p.partners || [];
  const samenvatting = h('div', {});
  const voortgang = h('div', { 'aria-live': 'polite' });
  const vak = h('fieldset', {}, h('legend', {}, 'Tel samen met'),
    partners.map((x, i) => h('div', { class: 'keuze' }, h('input', { type: 'checkbox', id: `regio-${i}`, value: x.naam, checked: true }), h('label', { for: `regio-${i}` }, text(x.naam)))));
  const form = h('form', { novalidate: true }, vak, h('div', { class: 'knoppen' }, knop('Regionale telling starten', null, { type: 'submit', id: 'regio-start' })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const gekozen = [...vak.querySelectorAll('input:checked')].map((x) => x.value);
    if (gekozen.length < 2) {
      clear(samenvatting).append(blok('fout', 'Er is een probleem', h('p', {}, 'Kies minstens twee partners: een regionale telling heeft minstens drie deelnemers.')));
      return;
    }
    clear(samenvatting);
    await bezig($('#regio-start'), async () => {
      try {
        const pa = partners.find((x) => x.naam === gekozen[0]);
        const taak = await api('POST', '/api/taken', { json: { soort: 'regio', partners: gekozen, doel: pa && pa.doelen && pa.doelen[0] ? pa.doelen[0].id : undefined } });
        if (await volgTaak(taak.taak, voortgang)) await schermRegio();
      } catch (err) { toonFout(samenvatting, err, 'De telling is niet gelukt'); }
    });
  });
  m.append(h('h2', {}, 'Nieuwe telling'), samenvatting, partners.length >= 2 ? form : h('p', {}, 'Voor een regionale telling zijn minstens twee partners nodig.'), voortgang);
}

// ---------------------------------------------------------------------------
// Rapportage

async function schermRapportage() {
  const m = scherm('Rapportage', 'De kwartaalregistratie van thuiszitters voor de Inspectie van het Onderwijs. Kies een peildatum om de rijen en aantallen te zien.');
  const samenvatting = h('div', {});
  const uitkomst = h('section', { 'aria-label': 'Kwartaalregistratie', id: 'rapportage-uitkomst' });
  const datum = datumVeld('Peildatum', vandaag(), 'peildatum');
  const form = h('form', { novalidate: true }, datum.wrap, h('div', { class: 'knoppen' }, knop('Tonen', null, { type: 'submit', id: 'rapportage-tonen' })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    datum.fout(null);
    const d = datum.input.value.trim();
    if (!foutSamenvatting(samenvatting, geldigeDatum(d) ? [] : [{ veld: datum, melding: 'Vul de peildatum in als dd-mm-jjjj.' }])) return;
    await bezig($('#rapportage-tonen'), async () => {
      laden(uitkomst);
      try {
        const r = await api('GET', `/api/rapportage?peildatum=${encodeURIComponent(d)}`);
        const rijen = r.rijen || [];
        clear(uitkomst).append(h('h2', {}, `Kwartaal ${text(r.kwartaal)}, peildatum ${text(r.peildatum)}`),
          h('div', { class: 'knoppen' }, downloadKnop('Download voor Excel (.xlsx)', `/api/rapportage.xlsx?peildatum=${encodeURIComponent(d)}`, 'rapportage-xlsx')),
          tabel('Per categorie', ['Categorie', 'Aantal'], (r.per_categorie || []).map((x) => [categorie(x.categorie), text(x.aantal)]), { getallen: [1] }),
          tabel('Per duur', ['Duur', 'Aantal'], (r.per_duur || []).map((x) => [duur(x.duur), text(x.aantal)]), { getallen: [1] }),
          rijen.length
            ? tabel(`Rijen (${rijen.length})`, ['Rij', 'Start', 'Einde', 'Categorie', 'Onderwijstype'],
              rijen.map((x) => [text(x.rijnummer), text(x.start), text(x.einde), categorie(x.categorie), text(x.onderwijstype)]), { id: 'rapportage-rijen' })
            : h('p', {}, 'Geen rijen voor dit kwartaal.'));
      } catch (err) { clear(uitkomst); toonFout(samenvatting, err, 'De rapportage is niet gemaakt'); }
    });
  });
  m.append(samenvatting, form, uitkomst);
}

// ---------------------------------------------------------------------------
// Logboek (privacy officer)

async function schermLogboek() {
  const m = scherm('Logboek', 'Elke uitwisseling met een partner en elke handeling in inbeeld staat in het logboek. Niemand kan het ongemerkt veranderen: dat kunt u hier controleren.');
  const samenvatting = h('div', {});
  const uitkomst = h('div', { id: 'logboek-uitkomst' });
  const van = datumVeld('Van', vandaag(-90), 'logboek-van');
  const tot = datumVeld('Tot en met', vandaag(), 'logboek-tot');
  const form = h('form', { novalidate: true }, van.wrap, tot.wrap, h('div', { class: 'knoppen' }, knop('Tonen', null, { type: 'submit', id: 'logboek-tonen' })));
  const laad = async () => {
    van.fout(null); tot.fout(null);
    const fouten = [];
    if (!geldigeDatum(van.input.value.trim())) fouten.push({ veld: van, melding: 'Vul de begindatum in als dd-mm-jjjj.' });
    if (!geldigeDatum(tot.input.value.trim())) fouten.push({ veld: tot, melding: 'Vul de einddatum in als dd-mm-jjjj.' });
    if (!foutSamenvatting(samenvatting, fouten)) return;
    laden(uitkomst);
    try {
      const r = await api('GET', `/api/logboek?van=${encodeURIComponent(van.input.value.trim())}&tot=${encodeURIComponent(tot.input.value.trim())}`);
      const u = r.uitwisselingen || [];
      const a = r.acties || [];
      clear(uitkomst).append(h('h2', {}, 'Uitwisselingen'),
        u.length ? tabel('Uitwisselingen met partners', ['Tijd', 'Partner', 'Organisatie', 'Doel', 'Grondslag', 'Gedeelde gegevens', 'Soort', 'Rol', 'Uitkomst', 'Aantallen', 'Door'],
          u.map((x) => [tijd(x.tijd), text(x.partner), text(x.organisatie), text(x.doel), text(x.grondslag), text(x.velden), soort(x.soort), text(x.rol), text(x.uitkomst), text(x.aantallen), text(x.door)]),
          { id: 'uitwisselingen', verborgenBijschrift: true }) : h('p', {}, 'Geen uitwisselingen in deze periode.'),
        h('h2', {}, 'Handelingen'),
        a.length ? tabel('Handelingen in inbeeld', ['Tijd', 'Handeling', 'Door', 'Vanaf'],
          a.map((x) => [tijd(x.tijd), text(x.actie), text(x.door), text(x.herkomst)]), { id: 'acties', verborgenBijschrift: true }) : h('p', {}, 'Geen handelingen in deze periode.'));
    } catch (err) { clear(uitkomst); toonFout(samenvatting, err, 'Het logboek kan niet getoond worden'); }
  };
  form.addEventListener('submit', async (e) => { e.preventDefault(); await bezig($('#logboek-tonen'), laad); });

  const controleUitkomst = h('div', { id: 'controle-uitkomst', 'aria-live': 'polite' });
  const controleKnop = knop('Log controleren', async () => {
    await bezig(controleKnop, async () => {
      clear(controleUitkomst).append(h('p', {}, 'Bezig met controleren…'));
      try {
        const r = await api('POST', '/api/logboek/controle');
        const meldingen = r.meldingen || [];
        clear(controleUitkomst).append(r.in_orde
          ? blok('goed', 'Het logboek is in orde', h('p', {}, `${text(r.records)} vastleggingen en ${text(r.controlepunten)} controlepunten gecontroleerd. Er is niets veranderd of weggehaald.`))
          : blok('fout', 'Het logboek is niet in orde', h('p', {}, 'Neem direct contact op met de beheerder en bewaar deze melding.'), meldingen.length ? h('ul', {}, meldingen.map((x) => h('li', {}, text(x)))) : null));
      } catch (err) { toonFout(controleUitkomst, err, 'Controleren is niet gelukt'); }
    });
  }, { id: 'log-controleren' });

  m.append(h('h2', {}, 'Periode'), samenvatting, form, uitkomst,
    h('h2', {}, 'Controleren'), h('p', {}, 'Controleer of het logboek compleet en onveranderd is. Dit kan even duren.'),
    h('div', { class: 'knoppen' }, controleKnop), controleUitkomst);
  toonInzage(m);
  await laad();
}

function toonInzage(m) {
  const samenvatting = h('div', {});
  const antwoord = h('div', { class: 'afdruk-vak' });
  const pgn = veld('BSN of onderwijsnummer', { id: 'inzage-pgn', inputmode: 'numeric' });
  const achternaam = veld('Achternaam', { id: 'inzage-achternaam', hint: 'Met tussenvoegsel, bijvoorbeeld "van der Berg".' });
  const voornamen = veld('Voornamen (als u die weet)', { id: 'inzage-voornamen' });
  const geboortedatum = datumVeld('Geboortedatum', '', 'inzage-geboortedatum');
  const metNummer = h('input', { type: 'radio', name: 'inzage-soort', id: 'inzage-met-nummer', value: 'pgn', checked: true });
  const metNaam = h('input', { type: 'radio', name: 'inzage-soort', id: 'inzage-met-naam', value: 'naam' });
  const nummerVak = h('div', {}, pgn.wrap);
  const naamVak = h('div', { hidden: true }, achternaam.wrap, voornamen.wrap, geboortedatum.wrap);
  const wissel = () => { nummerVak.hidden = !metNummer.checked; naamVak.hidden = metNummer.checked; };
  metNummer.addEventListener('change', wissel);
  metNaam.addEventListener('change', wissel);
  const form = h('form', { novalidate: true },
    h('fieldset', {}, h('legend', {}, 'Hoe zoekt u het kind?'),
      h('div', { class: 'keuze' }, metNummer, h('label', { for: 'inzage-met-nummer' }, 'Met BSN of onderwijsnummer')),
      h('div', { class: 'keuze' }, metNaam, h('label', { for: 'inzage-met-naam' }, 'Met naam en geboortedatum (voor een kind zonder nummer)'))),
    nummerVak, naamVak, h('div', { class: 'knoppen' }, knop('Zoeken', null, { type: 'submit', id: 'inzage-zoeken' })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const v of [pgn, achternaam, voornamen, geboortedatum]) v.fout(null);
    const fouten = [];
    let body;
    if (metNummer.checked) {
      const n = pgn.input.value.replace(/[\s.]/g, '');
      if (!/^\d{9}$/.test(n) && !/^\d{10}$/.test(n)) fouten.push({ veld: pgn, melding: 'Een BSN heeft 9 cijfers, een onderwijsnummer 9 of 10.' });
      body = { pgn: n };
    } else {
      if (!achternaam.input.value.trim()) fouten.push({ veld: achternaam, melding: 'Vul de achternaam in.' });
      if (!geldigeDatum(geboortedatum.input.value.trim())) fouten.push({ veld: geboortedatum, melding: 'Vul de geboortedatum in als dd-mm-jjjj.' });
      body = { achternaam: achternaam.input.value.trim(), geboortedatum: geboortedatum.input.value.trim() };
      if (voornamen.input.value.trim()) body.voornamen = voornamen.input.value.trim();
    }
    if (!foutSamenvatting(samenvatting, fouten)) return;
    await bezig($('#inzage-zoeken'), async () => {
      try {
        const r = await api('POST', '/api/inzageverzoek', { json: body });
        toonInzageAntwoord(antwoord, r, body);
      } catch (err) { clear(antwoord); toonFout(samenvatting, err, 'Het inzageverzoek is niet gelukt'); }
    });
  });
  m.append(h('h2', {}, 'Inzageverzoek'),
    h('p', {}, 'Een ouder of kind vraagt welke gegevens inbeeld heeft en met wie die zijn uitgewisseld (AVG artikel 15). Het antwoord kunt u afdrukken. Het verzoek zelf komt ook in het logboek.'),
    samenvatting, form, antwoord);
}

function toonInzageAntwoord(plek, r, vraag) {
  const vastgelegd = r.vastgelegd || [];
  const uitwisselingen = r.uitwisselingen || [];
  const rij = (x) => (x && typeof x === 'object' && !Array.isArray(x) ? x : { omschrijving: x });
  const over = vraag.pgn ? 'het opgegeven BSN of onderwijsnummer' : `${vraag.voornamen ? `${vraag.voornamen} ` : ''}${vraag.achternaam}, geboren ${vraag.geboortedatum}`;
  const kn = state.me.knooppunt || {};
  const afdrukKnop = knop('Afdrukken', () => {
    document.body.classList.add('afdruk-inzage');
    window.print();
    setTimeout(() => document.body.classList.remove('afdruk-inzage'), 500);
  }, { id: 'inzage-afdrukken' });
  const cellen = (lijst) => {
    const keys = [];
    for (const x of lijst.map(rij)) for (const k of Object.keys(x)) if (!keys.includes(k)) keys.push(k);
    return { keys, rijen: lijst.map(rij).map((x) => keys.map((k) => (k === 'tijd' ? tijd(x[k]) : text(x[k])))) };
  };
  const kop = (k) => ({ tijd: 'Tijd', partner: 'Partner', organisatie: 'Organisatie', doel: 'Doel', grondslag: 'Grondslag', velden: 'Gedeelde gegevens', uitkomst: 'Uitkomst', omschrijving: 'Omschrijving' }[k] || k.replace(/_/g, ' '));
  const v = cellen(vastgelegd);
  const u = cellen(uitwisselingen);
  clear(plek).append(h('section', { class: 'afdruk', id: 'inzage-antwoord', 'aria-labelledby': 'kop-inzage', tabindex: '-1' },
    h('h2', { id: 'kop-inzage' }, 'Antwoord op het inzageverzoek'),
    h('dl', { class: 'gegevens' },
      h('dt', {}, 'Organisatie'), h('dd', {}, text(kn.organisatie)),
      h('dt', {}, 'Knooppunt'), h('dd', {}, text(kn.naam)),
      h('dt', {}, 'Over'), h('dd', {}, over),
      h('dt', {}, 'Datum'), h('dd', {}, vandaag()),
      h('dt', {}, 'Behandeld door'), h('dd', {}, text(state.me.naam))),
    h('p', { id: 'inzage-gevonden' }, r.gevonden
      ? 'Dit kind staat in inbeeld, of heeft erin gestaan. Hieronder staat wat er is vastgelegd en met wie het is uitgewisseld.'
      : 'Over dit kind is niets vastgelegd in inbeeld en het is met niemand uitgewisseld.'),
    h('h3', {}, 'Wat is vastgelegd'),
    vastgelegd.length ? tabel('Wat is vastgelegd', v.keys.map(kop), v.rijen, { verborgenBijschrift: true, rijkop: false }) : h('p', {}, 'Niets.'),
    h('h3', {}, 'Uitwisselingen waarin dit kind voorkwam'),
    uitwisselingen.length ? tabel('Uitwisselingen', u.keys.map(kop), u.rijen, { verborgenBijschrift: true, rijkop: false, id: 'inzage-uitwisselingen' }) : h('p', {}, 'Geen.'),
    h('div', { class: 'knoppen' }, afdrukKnop)));
  plek.firstChild.focus();
}

// ---------------------------------------------------------------------------
// Mensen (admin)

async function schermMensen() {
  const m = scherm('Mensen', 'Wie inbeeld mag gebruiken. Nodig iemand uit met een link die één keer werkt, 72 uur lang. Trek toegang in als iemand niet meer bij uw organisatie werkt.');
  const samenvatting = h('div', {});
  const uitkomst = h('div', {});
  const lijst = h('div', {});
  const naam = veld('Naam', { id: 'mens-naam', hint: 'Voor- en achternaam, zoals de persoon inlogt.' });
  const rol = h('select', { id: 'mens-rol' }, Object.entries(ROLLEN).map(([k, v]) => h('option', { value: k }, v)));
  const form = h('form', { novalidate: true }, naam.wrap, h('div', { class: 'veld' }, h('label', { for: 'mens-rol' }, 'Rol'), rol),
    h('div', { class: 'knoppen' }, knop('Uitnodigen', null, { type: 'submit', id: 'uitnodigen' })));
  const laadLijst = async () => {
    const r = await api('GET', '/api/mensen');
    const mensen = r.mensen || [];
    clear(lijst).append(tabel('Mensen met toegang', ['Naam', 'Rol', 'Status', 'Laatst ingelogd', h('span', { class: 'visueel-verborgen' }, 'Toegang')],
      mensen.map((x) => [text(x.naam), rolNaam(x.rol), text(x.status), tijd(x.laatst_ingelogd),
        x.status === 'ingetrokken' ? '—' : h('button', { type: 'button', class: 'knop knop-tweede', onclick: async (e) => {
          if (!window.confirm(`Toegang van ${x.naam} intrekken? Lopende sessies stoppen meteen.`)) return;
          await bezig(e.currentTarget, async () => {
            try {
              await api('POST', `/api/mensen/${encodeURIComponent(x.naam)}/intrekken`);
              meld(`Toegang van ${x.naam} is ingetrokken.`);
              await laadLijst();
            } catch (err) { toonFout(samenvatting, err, 'Intrekken is niet gelukt'); }
          });
        } }, 'Intrekken', h('span', { class: 'visueel-verborgen' }, ` (${x.naam})`))]),
      { id: 'mensen', verborgenBijschrift: true }));
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    naam.fout(null);
    if (!foutSamenvatting(samenvatting, naam.input.value.trim() ? [] : [{ veld: naam, melding: 'Vul de naam in.' }])) return;
    await bezig($('#uitnodigen'), async () => {
      try {
        const r = await api('POST', '/api/mensen', { json: { naam: naam.input.value.trim(), rol: rol.value } });
        const link = h('input', { type: 'text', id: 'uitnodiging-link', readonly: true, value: r.link });
        const gekopieerd = h('span', { 'aria-live': 'polite' });
        clear(uitkomst).append(blok('goed', 'Uitnodiging gemaakt',
          h('p', {}, 'Geef deze link aan de persoon, bijvoorbeeld via een bericht dat alleen zij of hij kan lezen. De link werkt één keer en is 72 uur geldig. U ziet hem maar één keer.'),
          h('div', { class: 'veld' }, h('label', { for: 'uitnodiging-link' }, 'Link'), link),
          h('div', { class: 'knoppen' }, knop('Kopieer de link', async () => {
            try { await navigator.clipboard.writeText(r.link); gekopieerd.textContent = 'Gekopieerd.'; } catch { link.select(); gekopieerd.textContent = 'Kopiëren lukte niet: de link is geselecteerd, kopieer hem met Ctrl+C.'; }
          }, { tweede: true }), gekopieerd)));
        naam.input.value = '';
        link.focus();
        link.select();
        await laadLijst();
      } catch (err) { toonFout(samenvatting, err, 'Uitnodigen is niet gelukt'); }
    });
  });
  m.append(h('h2', {}, 'Iemand uitnodigen'), samenvatting, form, uitkomst, h('h2', {}, 'Mensen met toegang'), lijst);
  await laadLijst();
}

// ---------------------------------------------------------------------------
// Start

function start() {
  $('#uitloggen').addEventListener('click', uitloggen);
  $('#skiplink').addEventListener('click', (e) => { e.preventDefault(); main().focus(); });
  window.addEventListener('hashchange', route);
  route();
}

start();
