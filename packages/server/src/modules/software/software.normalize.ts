/**
 * Software normalisation: what agents report (`CanonicalSoftware`: raw name, publisher, version,
 * arch) → a product identity (publisher + product name), then the organization's rules.
 * Pure functions, no database: the sync and the rule re-application both use them, so a product's
 * identity is always computed the same way — from the raw name, publisher and source only (never
 * the version), which the installation rows keep.
 *
 * Built-in cleanup:
 * - publisher: whitespace collapsed, legal-form suffixes stripped (`Inc.`, `, Inc`, `Corporation`,
 *   `Corp.`, `Ltd`, `Limited`, `LLC`, `GmbH`, `Co., Ltd.`, `S.A.`, `B.V.`, `AG` …), trailing
 *   punctuation removed, well-known aliases mapped (`Microsoft Corporation` → `Microsoft`,
 *   `Adobe Systems Incorporated` → `Adobe`, `Mozilla Foundation` → `Mozilla` …); empty → null;
 * - product name of an installer package (Windows registry, macOS, unknown source): architecture
 *   markers (`(x64)`, `(64-bit)`, `x86_64` …) and embedded version numbers (`7-Zip 19.00 (x64)` →
 *   `7-Zip`, `Python 3.11.4 (64-bit)` → `Python`, `… Redistributable (x64) - 14.36.32532` → `…
 *   Redistributable`), locale suffixes (`(x64 en-US)`, `- en-us`) and `Update 351` are removed; an
 *   architecture found in the name becomes the installation's arch when the agent sent none;
 * - a distribution package (deb, rpm, snap, flatpak, …) keeps its package name untouched: names
 *   like `python3.11`, `gcc-12` or `libssl3` are the package, not a version.
 */

export type RuleKind = 'rename' | 'merge' | 'ignore';
export type MatchMode = 'exact' | 'contains' | 'regex';

export interface SoftwareRule {
  kind: RuleKind;
  mode: MatchMode;
  matchPublisher: string | null;
  matchName: string | null;
  targetPublisher: string | null;
  targetName: string | null;
}

export interface Identity {
  publisher: string | null;
  name: string;
}

export interface Resolved extends Identity {
  key: string;
  ignored: boolean;
}

/** Sources whose names are package names (kept as they are). */
const PACKAGE_SOURCES = new Set(['deb', 'dpkg', 'rpm', 'snap', 'flatpak', 'pacman', 'apk', 'portage', 'pkg', 'pkgng', 'brew', 'homebrew', 'nix', 'gem', 'pip', 'npm', 'port', 'slackware', 'opkg', 'ipkg']);

export const isPackageSource = (source: string | null | undefined): boolean => !!source && PACKAGE_SOURCES.has(source.toLowerCase());

const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

// ---------------------------------------------------------------------------------------------
// Publisher
// ---------------------------------------------------------------------------------------------

/** Legal-form suffixes, stripped repeatedly from the end ("Foo Systems Co., Ltd." → "Foo Systems"). */
const LEGAL_SUFFIX = /(?:,?\s+|,\s*)(?:inc|incorporated|corp|corporation|co|company|ltd|limited|llc|l\.l\.c|gmbh|ag|s\.?a|s\.?a\.?s|s\.?r\.?l|b\.?v|n\.?v|pty|plc|sarl|oy|ab|as|a\/s|kg|k\.k|s\.p\.a|spa)\.?$/i;

/** Lower-cased publisher (after suffix stripping) → its canonical spelling. */
const PUBLISHER_ALIASES: Record<string, string> = {
  microsoft: 'Microsoft',
  'microsoft windows': 'Microsoft',
  'adobe systems': 'Adobe',
  adobe: 'Adobe',
  'mozilla foundation': 'Mozilla',
  'the mozilla foundation': 'Mozilla',
  mozilla: 'Mozilla',
  google: 'Google',
  'oracle america': 'Oracle',
  oracle: 'Oracle',
  'sun microsystems': 'Oracle',
  apple: 'Apple',
  'hewlett-packard': 'HP',
  'hewlett packard': 'HP',
  hp: 'HP',
  'hp development company, l.p': 'HP',
  'hp development company': 'HP',
  'hewlett packard enterprise': 'HPE',
  'hewlett-packard enterprise': 'HPE',
  dell: 'Dell',
  'dell technologies': 'Dell',
  'dell computer': 'Dell',
  lenovo: 'Lenovo',
  vmware: 'VMware',
  intel: 'Intel',
  'intel(r)': 'Intel',
  nvidia: 'NVIDIA',
  'advanced micro devices': 'AMD',
  amd: 'AMD',
  'citrix systems': 'Citrix',
  citrix: 'Citrix',
  'cisco systems': 'Cisco',
  cisco: 'Cisco',
  'zoom video communications': 'Zoom',
  'igor pavlov': 'Igor Pavlov',
  'the git development community': 'Git',
  'python software foundation': 'Python Software Foundation',
  'realtek semiconductor': 'Realtek',
  'tightvnc group': 'TightVNC',
  'notepad++ team': 'Notepad++',
  'don ho': 'Notepad++',
  'videolan': 'VideoLAN',
  'the document foundation': 'The Document Foundation',
};

export function normalizePublisher(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let p = squash(raw).replace(/[®™©]/g, '');
  for (let i = 0; i < 4; i++) {
    const before = p;
    p = p.replace(/[\s.,;:]+$/, '').replace(LEGAL_SUFFIX, '').trim();
    if (p === before) break;
  }
  p = p.replace(/[\s.,;:]+$/, '');
  if (!p) return null;
  return PUBLISHER_ALIASES[p.toLowerCase()] ?? p;
}

// ---------------------------------------------------------------------------------------------
// Product name
// ---------------------------------------------------------------------------------------------

const ARCH_WORDS = 'x64|x86|x86_64|x86-64|amd64|arm64|aarch64|win64|win32|ia64|64-bit|32-bit|64 bit|32 bit|64bit|32bit';
/** A parenthesised group that holds an arch and maybe a locale: "(x64)", "(64-bit)", "(x64 en-US)", "(64-bit x64)". */
const ARCH_PAREN = new RegExp(`\\s*[([]\\s*(${ARCH_WORDS})(?:[\\s,/]+(?:${ARCH_WORDS}|[a-z]{2}(?:-[a-z]{2,4})?))*\\s*[)\\]]`, 'i');
/** A bare arch word at the end or before " - ": "Foo x64", "Foo 64-bit - 1.2". */
const ARCH_BARE = new RegExp(`(?:\\s+|\\s*-\\s*)(${ARCH_WORDS})(?=\\s*(?:-|$))`, 'i');
/** Embedded version numbers: "19.00", "v3.11.4", "version 2.41.0", "14.36.32532.0-beta". */
const VERSION = /(?:\s+|\s*-\s*|^)(?:version\s+|ver\.?\s*|v)?\d+(?:\.\d+)+[a-z0-9]*(?:[-+~][\w.]*)?(?=\s|$|\))/gi;
/** A locale suffix: " - en-us", " (en-US)", " en-US" at the end. */
const LOCALE = /(?:\s*-\s*|\s+\(|\s+)[a-z]{2}-[a-z]{2}\)?$/i;
/** "Java 8 Update 351" → "Java 8". */
const UPDATE_N = /\s+update\s+\d+$/i;

/** Arch as stored on installations: the agent's value, or what the name says. */
function archFromWord(word: string): string {
  const w = word.toLowerCase().replace(/\s/g, '-');
  if (['x64', 'x86_64', 'x86-64', 'amd64', 'win64', '64-bit', '64bit'].includes(w)) return 'x64';
  if (['x86', 'win32', '32-bit', '32bit'].includes(w)) return 'x86';
  if (w === 'aarch64') return 'arm64';
  return w;
}

export function normalizeName(raw: string, source?: string | null): { name: string; arch: string | null } {
  const original = squash(raw);
  if (isPackageSource(source)) return { name: original, arch: null };
  let n = original.replace(/[®™©]/g, '');
  let arch: string | null = null;
  const paren = ARCH_PAREN.exec(n);
  if (paren) {
    arch = archFromWord(paren[1] ?? '');
    n = n.replace(ARCH_PAREN, ' ');
  }
  const bare = ARCH_BARE.exec(n);
  if (bare) {
    arch ??= archFromWord(bare[1] ?? '');
    n = n.replace(ARCH_BARE, ' ');
  }
  n = squash(n);
  n = n.replace(VERSION, ' ');
  n = squash(n).replace(LOCALE, '').replace(UPDATE_N, '');
  n = n.replace(/\(\s*\)/g, ' ');
  n = squash(n).replace(/[\s\-–,:;/]+$/, '').replace(/^[\s\-–,:;/]+/, '');
  return { name: n || original, arch };
}

// ---------------------------------------------------------------------------------------------
// Identity, rules
// ---------------------------------------------------------------------------------------------

/** The product key: unique per organization, case-insensitive (TAB cannot occur: whitespace is collapsed). */
export const productKey = (publisher: string | null, name: string): string => `${(publisher ?? '').toLowerCase()}\t${name.toLowerCase()}`;

export interface CompiledRule {
  rule: SoftwareRule;
  test: (identity: Identity) => boolean;
}

/** Compiles a pattern of a rule; throws a SyntaxError for an invalid regular expression. */
function matcher(mode: MatchMode, pattern: string): (value: string) => boolean {
  if (mode === 'regex') {
    const re = new RegExp(pattern, 'i');
    return (v) => re.test(v);
  }
  const p = pattern.toLowerCase();
  return mode === 'exact' ? (v) => v.toLowerCase() === p : (v) => v.toLowerCase().includes(p);
}

export function compileRule(rule: SoftwareRule): CompiledRule {
  const pub = rule.matchPublisher === null ? null : matcher(rule.mode, rule.matchPublisher);
  const name = rule.matchName === null ? null : matcher(rule.mode, rule.matchName);
  return {
    rule,
    test: (id) => (pub === null || pub(id.publisher ?? '')) && (name === null || name(id.name)) && (pub !== null || name !== null),
  };
}

/**
 * Applies the rules: rename and merge rules in order, each to the identity the previous ones
 * produced (so chains work); then the product is ignored if any ignore rule matches the result.
 * Rename keeps what it does not set (a null target); merge sets both publisher and name.
 */
export function applyRules(base: Identity, rules: readonly CompiledRule[]): Resolved {
  let id: Identity = base;
  for (const r of rules) {
    if (r.rule.kind === 'ignore' || !r.test(id)) continue;
    id = r.rule.kind === 'merge'
      ? { publisher: r.rule.targetPublisher, name: r.rule.targetName ?? id.name }
      : { publisher: r.rule.targetPublisher ?? id.publisher, name: r.rule.targetName ?? id.name };
  }
  const ignored = rules.some((r) => r.rule.kind === 'ignore' && r.test(id));
  return { ...id, key: productKey(id.publisher, id.name), ignored };
}

/** Whether the product (its current identity) is ignored by the rules. */
export const isIgnored = (id: Identity, rules: readonly CompiledRule[]): boolean => rules.some((r) => r.rule.kind === 'ignore' && r.test(id));

export interface NormalizedSoftware extends Resolved {
  rawName: string;
  rawPublisher: string | null;
  /** '' when unknown */
  version: string;
  /** '' when unknown */
  arch: string;
  installDate: string | null;
  source: string | null;
}

/** One reported package → its product identity after cleanup and rules. */
export function normalizeSoftware(
  s: { name: string; publisher: string | null; version: string | null; arch: string | null; installDate: string | null; source: string | null },
  rules: readonly CompiledRule[],
): NormalizedSoftware {
  const { name, arch } = normalizeName(s.name, s.source);
  const resolved = applyRules({ publisher: normalizePublisher(s.publisher), name }, rules);
  return {
    ...resolved,
    rawName: squash(s.name) || s.name,
    rawPublisher: s.publisher ? squash(s.publisher) || null : null,
    version: s.version ? squash(s.version) : '',
    arch: s.arch ? squash(s.arch) : arch ?? '',
    installDate: s.installDate,
    source: s.source,
  };
}
