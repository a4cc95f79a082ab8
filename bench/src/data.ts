/**
 * Reference data and generators for the seeder: a plausible mid-size company's catalog, sites and
 * people, plus serial-number formats per manufacturer. Everything is deterministic for a seed.
 */
import type { AssetClass } from '@custodian/server/dist/modules/catalog/catalog.schemas.js';

/** mulberry32: small, fast, good enough for test data; deterministic for a seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;
export const int = (r: Rand, min: number, max: number): number => min + Math.floor(r() * (max - min + 1));
export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

/** Picks an index by weight; `cumulative` must be the running sums of the weights. */
export function weighted(r: Rand, cumulative: readonly number[]): number {
  const total = cumulative[cumulative.length - 1] ?? 0;
  const x = r() * total;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] ?? 0) > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export const cumulate = (ws: readonly number[]): number[] => {
  let s = 0;
  return ws.map((w) => (s += w));
};

// ---------- catalog ----------

export interface CategoryDef {
  name: string;
  cls: AssetClass;
  tagPrefix: string;
  /** share of all assets, in percent */
  share: number;
  dataBearing: boolean;
  requiresAcceptance: boolean;
  warrantyMonths: readonly number[];
  /** share of assets of this class without a serial number */
  noSerial: number;
}

export const CATEGORIES: readonly CategoryDef[] = [
  { name: 'Laptops', cls: 'laptop', tagPrefix: 'LAP', share: 34, dataBearing: true, requiresAcceptance: true, warrantyMonths: [36, 36, 48], noSerial: 0 },
  { name: 'Desktops', cls: 'desktop', tagPrefix: 'DSK', share: 9, dataBearing: true, requiresAcceptance: false, warrantyMonths: [36, 60], noSerial: 0 },
  { name: 'Servers', cls: 'server', tagPrefix: 'SRV', share: 1, dataBearing: true, requiresAcceptance: false, warrantyMonths: [36, 60], noSerial: 0 },
  { name: 'Monitors', cls: 'monitor', tagPrefix: 'MON', share: 22, dataBearing: false, requiresAcceptance: false, warrantyMonths: [36], noSerial: 0.02 },
  { name: 'Docking stations', cls: 'dock', tagPrefix: 'DCK', share: 9, dataBearing: false, requiresAcceptance: false, warrantyMonths: [12, 36], noSerial: 0.05 },
  { name: 'Peripherals', cls: 'peripheral', tagPrefix: 'PER', share: 7, dataBearing: false, requiresAcceptance: false, warrantyMonths: [12, 24], noSerial: 0.4 },
  { name: 'Phones & tablets', cls: 'phone_tablet', tagPrefix: 'MOB', share: 8, dataBearing: true, requiresAcceptance: true, warrantyMonths: [12, 24], noSerial: 0 },
  { name: 'Printers', cls: 'printer', tagPrefix: 'PRN', share: 1, dataBearing: true, requiresAcceptance: false, warrantyMonths: [12, 36], noSerial: 0 },
  { name: 'Network devices', cls: 'network_device', tagPrefix: 'NET', share: 2, dataBearing: true, requiresAcceptance: false, warrantyMonths: [12, 60], noSerial: 0 },
  { name: 'Storage', cls: 'storage', tagPrefix: 'STO', share: 0.3, dataBearing: true, requiresAcceptance: false, warrantyMonths: [36, 60], noSerial: 0 },
  { name: 'UPS', cls: 'ups', tagPrefix: 'UPS', share: 0.5, dataBearing: false, requiresAcceptance: false, warrantyMonths: [24, 36], noSerial: 0 },
  { name: 'Conference rooms', cls: 'conference', tagPrefix: 'CNF', share: 0.4, dataBearing: true, requiresAcceptance: false, warrantyMonths: [12, 36], noSerial: 0 },
  { name: 'SIM cards', cls: 'sim_card', tagPrefix: 'SIM', share: 5, dataBearing: true, requiresAcceptance: true, warrantyMonths: [], noSerial: 0 },
  { name: 'Other', cls: 'other', tagPrefix: 'OTH', share: 0.8, dataBearing: false, requiresAcceptance: false, warrantyMonths: [12], noSerial: 0.2 },
];

export const MANUFACTURERS: readonly { name: string; url: string }[] = [
  { name: 'Dell', url: 'https://www.dell.com/support' },
  { name: 'HP', url: 'https://support.hp.com' },
  { name: 'Lenovo', url: 'https://support.lenovo.com' },
  { name: 'Apple', url: 'https://support.apple.com' },
  { name: 'Microsoft', url: 'https://support.microsoft.com' },
  { name: 'Cisco', url: 'https://www.cisco.com/c/en/us/support' },
  { name: 'Samsung', url: 'https://www.samsung.com/support' },
  { name: 'LG', url: 'https://www.lg.com/support' },
  { name: 'Logitech', url: 'https://support.logi.com' },
  { name: 'Jabra', url: 'https://www.jabra.com/support' },
  { name: 'Poly', url: 'https://support.hp.com/poly' },
  { name: 'Brother', url: 'https://support.brother.com' },
  { name: 'Canon', url: 'https://www.canon.com/support' },
  { name: 'Epson', url: 'https://epson.com/support' },
  { name: 'Xerox', url: 'https://www.support.xerox.com' },
  { name: 'Ubiquiti', url: 'https://help.ui.com' },
  { name: 'Juniper', url: 'https://support.juniper.net' },
  { name: 'Fortinet', url: 'https://support.fortinet.com' },
  { name: 'Netgear', url: 'https://www.netgear.com/support' },
  { name: 'APC', url: 'https://www.apc.com/support' },
  { name: 'Eaton', url: 'https://www.eaton.com/support' },
  { name: 'Synology', url: 'https://www.synology.com/support' },
  { name: 'NetApp', url: 'https://mysupport.netapp.com' },
  { name: 'Western Digital', url: 'https://support-en.wd.com' },
  { name: 'Seagate', url: 'https://www.seagate.com/support' },
  { name: 'Kingston', url: 'https://www.kingston.com/support' },
  { name: 'Vodafone', url: 'https://www.vodafone.com/business/support' },
  { name: 'Google', url: 'https://support.google.com' },
  { name: 'Zebra', url: 'https://www.zebra.com/support' },
  { name: 'Aruba', url: 'https://asp.arubanetworks.com' },
];

export interface ModelDef {
  name: string;
  number: string;
  cls: AssetClass;
  /** null: a generic item with no manufacturer */
  manufacturer: string | null;
  eolMonths: number;
  /** purchase price range in EUR */
  cost: readonly [number, number];
}

export const MODELS: readonly ModelDef[] = [
  { cls: 'laptop', manufacturer: 'Dell', name: 'Latitude 5440', number: 'LAT5440', eolMonths: 48, cost: [1100, 1500] },
  { cls: 'laptop', manufacturer: 'Dell', name: 'Latitude 7440', number: 'LAT7440', eolMonths: 48, cost: [1500, 2100] },
  { cls: 'laptop', manufacturer: 'Dell', name: 'XPS 13 9340', number: 'XPS9340', eolMonths: 48, cost: [1400, 1900] },
  { cls: 'laptop', manufacturer: 'HP', name: 'EliteBook 840 G10', number: '818F5EA', eolMonths: 48, cost: [1300, 1800] },
  { cls: 'laptop', manufacturer: 'HP', name: 'ProBook 450 G9', number: '6A155EA', eolMonths: 48, cost: [800, 1100] },
  { cls: 'laptop', manufacturer: 'Lenovo', name: 'ThinkPad T14 Gen 4', number: '21HD', eolMonths: 48, cost: [1200, 1700] },
  { cls: 'laptop', manufacturer: 'Lenovo', name: 'ThinkPad X1 Carbon Gen 11', number: '21HM', eolMonths: 48, cost: [1800, 2500] },
  { cls: 'laptop', manufacturer: 'Apple', name: 'MacBook Pro 14" (M3)', number: 'MTL73', eolMonths: 60, cost: [2000, 2900] },
  { cls: 'laptop', manufacturer: 'Apple', name: 'MacBook Air 13" (M2)', number: 'MLY33', eolMonths: 60, cost: [1200, 1600] },
  { cls: 'laptop', manufacturer: 'Microsoft', name: 'Surface Laptop 5', number: 'RBH-00005', eolMonths: 48, cost: [1200, 1800] },
  { cls: 'desktop', manufacturer: 'Dell', name: 'OptiPlex 7010', number: 'OPT7010', eolMonths: 60, cost: [700, 1000] },
  { cls: 'desktop', manufacturer: 'HP', name: 'EliteDesk 800 G9', number: '6B2G3EA', eolMonths: 60, cost: [800, 1100] },
  { cls: 'desktop', manufacturer: 'Lenovo', name: 'ThinkCentre M90q Gen 3', number: '11U5', eolMonths: 60, cost: [700, 1000] },
  { cls: 'desktop', manufacturer: 'Apple', name: 'Mac mini (M2)', number: 'MMFJ3', eolMonths: 60, cost: [700, 1100] },
  { cls: 'server', manufacturer: 'Dell', name: 'PowerEdge R750', number: 'R750', eolMonths: 72, cost: [8000, 25000] },
  { cls: 'server', manufacturer: 'HP', name: 'ProLiant DL380 Gen11', number: 'P52534-B21', eolMonths: 72, cost: [9000, 28000] },
  { cls: 'server', manufacturer: 'Lenovo', name: 'ThinkSystem SR650 V2', number: '7Z73', eolMonths: 72, cost: [8000, 22000] },
  { cls: 'monitor', manufacturer: 'Dell', name: 'UltraSharp U2723QE', number: 'U2723QE', eolMonths: 72, cost: [450, 600] },
  { cls: 'monitor', manufacturer: 'Dell', name: 'P2422H', number: 'P2422H', eolMonths: 72, cost: [180, 250] },
  { cls: 'monitor', manufacturer: 'HP', name: 'E24 G5', number: '6N6E9AA', eolMonths: 72, cost: [170, 230] },
  { cls: 'monitor', manufacturer: 'Lenovo', name: 'ThinkVision T27h-30', number: '63A3GAT1', eolMonths: 72, cost: [300, 400] },
  { cls: 'monitor', manufacturer: 'LG', name: '27UP850-W', number: '27UP850-W', eolMonths: 72, cost: [350, 450] },
  { cls: 'dock', manufacturer: 'Dell', name: 'Thunderbolt Dock WD22TB4', number: 'WD22TB4', eolMonths: 60, cost: [250, 330] },
  { cls: 'dock', manufacturer: 'Lenovo', name: 'ThinkPad Universal USB-C Dock', number: '40AY0090', eolMonths: 60, cost: [180, 250] },
  { cls: 'dock', manufacturer: 'HP', name: 'USB-C Dock G5', number: '5TW10AA', eolMonths: 60, cost: [160, 220] },
  { cls: 'peripheral', manufacturer: 'Logitech', name: 'MX Keys', number: '920-009409', eolMonths: 48, cost: [90, 120] },
  { cls: 'peripheral', manufacturer: 'Logitech', name: 'MX Master 3S', number: '910-006559', eolMonths: 48, cost: [80, 110] },
  { cls: 'peripheral', manufacturer: 'Jabra', name: 'Evolve2 65', number: '26599-989-999', eolMonths: 36, cost: [180, 260] },
  { cls: 'peripheral', manufacturer: 'Poly', name: 'Voyager Focus 2', number: '213726-01', eolMonths: 36, cost: [200, 280] },
  { cls: 'peripheral', manufacturer: null, name: 'USB-C charger 65 W', number: 'GEN-65W', eolMonths: 48, cost: [25, 45] },
  { cls: 'phone_tablet', manufacturer: 'Apple', name: 'iPhone 15', number: 'MTP03', eolMonths: 36, cost: [800, 1000] },
  { cls: 'phone_tablet', manufacturer: 'Apple', name: 'iPad Air 11" (M2)', number: 'MUWD3', eolMonths: 48, cost: [650, 900] },
  { cls: 'phone_tablet', manufacturer: 'Samsung', name: 'Galaxy S24', number: 'SM-S921B', eolMonths: 36, cost: [750, 950] },
  { cls: 'phone_tablet', manufacturer: 'Samsung', name: 'Galaxy Tab S9', number: 'SM-X710', eolMonths: 48, cost: [700, 900] },
  { cls: 'phone_tablet', manufacturer: 'Google', name: 'Pixel 8', number: 'GKWS6', eolMonths: 36, cost: [600, 800] },
  { cls: 'printer', manufacturer: 'Brother', name: 'HL-L8360CDW', number: 'HLL8360CDW', eolMonths: 60, cost: [350, 500] },
  { cls: 'printer', manufacturer: 'Canon', name: 'imageRUNNER ADVANCE DX C3826i', number: '4911C005', eolMonths: 72, cost: [3500, 5500] },
  { cls: 'printer', manufacturer: 'HP', name: 'Color LaserJet Pro M479fdw', number: 'W1A80A', eolMonths: 60, cost: [450, 650] },
  { cls: 'network_device', manufacturer: 'Cisco', name: 'Catalyst 9300-48P', number: 'C9300-48P-E', eolMonths: 84, cost: [6000, 9000] },
  { cls: 'network_device', manufacturer: 'Cisco', name: 'Meraki MR46', number: 'MR46-HW', eolMonths: 72, cost: [900, 1200] },
  { cls: 'network_device', manufacturer: 'Ubiquiti', name: 'UniFi U6 Pro', number: 'U6-PRO', eolMonths: 60, cost: [150, 200] },
  { cls: 'network_device', manufacturer: 'Juniper', name: 'EX2300-24P', number: 'EX2300-24P', eolMonths: 84, cost: [1500, 2200] },
  { cls: 'network_device', manufacturer: 'Fortinet', name: 'FortiGate 60F', number: 'FG-60F', eolMonths: 72, cost: [600, 900] },
  { cls: 'storage', manufacturer: 'Synology', name: 'RackStation RS1221+', number: 'RS1221+', eolMonths: 72, cost: [1200, 1800] },
  { cls: 'storage', manufacturer: 'NetApp', name: 'AFF A250', number: 'AFF-A250', eolMonths: 84, cost: [25000, 45000] },
  { cls: 'ups', manufacturer: 'APC', name: 'Smart-UPS 1500', number: 'SMT1500IC', eolMonths: 96, cost: [600, 900] },
  { cls: 'ups', manufacturer: 'Eaton', name: '5PX 3000', number: '5PX3000IRT2UG2', eolMonths: 96, cost: [1500, 2200] },
  { cls: 'conference', manufacturer: 'Poly', name: 'Studio X50', number: '2200-85980-101', eolMonths: 72, cost: [2500, 3500] },
  { cls: 'sim_card', manufacturer: 'Vodafone', name: 'Business SIM (data + voice)', number: 'VF-SIM-TRIO', eolMonths: 60, cost: [0, 0] },
  { cls: 'other', manufacturer: 'Zebra', name: 'DS2208 barcode scanner', number: 'DS2208-SR7U2100AZW', eolMonths: 60, cost: [100, 150] },
];

export const SUPPLIERS: readonly string[] = [
  'CDW', 'Insight', 'SHI International', 'Dell Technologies Direct', 'Apple Business', 'Bechtle',
  'Computacenter', 'Softcat', 'Cancom', 'Amazon Business', 'Vodafone Business', 'Jigsaw24',
];

// ---------- places ----------

export interface CountryDef {
  name: string;
  code: string;
  currency: string;
  /** EUR → local currency */
  rate: number;
  /** share of assets, in percent */
  share: number;
  sites: readonly { city: string; lat: number; lon: number; street: string }[];
}

export const COUNTRIES: readonly CountryDef[] = [
  { name: 'Germany', code: 'DE', currency: 'EUR', rate: 1, share: 25, sites: [
    { city: 'Berlin', lat: 52.52, lon: 13.405, street: 'Friedrichstraße 68, 10117 Berlin' },
    { city: 'Munich', lat: 48.137, lon: 11.575, street: 'Leopoldstraße 28, 80802 München' },
    { city: 'Hamburg', lat: 53.551, lon: 9.993, street: 'Am Sandtorkai 50, 20457 Hamburg' },
    { city: 'Frankfurt', lat: 50.11, lon: 8.682, street: 'Mainzer Landstraße 46, 60325 Frankfurt' },
  ] },
  { name: 'United Kingdom', code: 'GB', currency: 'GBP', rate: 0.86, share: 15, sites: [
    { city: 'London', lat: 51.507, lon: -0.128, street: '1 Finsbury Avenue, London EC2M 2PF' },
    { city: 'Manchester', lat: 53.48, lon: -2.242, street: '3 Hardman Street, Manchester M3 3HF' },
    { city: 'Edinburgh', lat: 55.953, lon: -3.188, street: '50 Lothian Road, Edinburgh EH3 9WJ' },
    { city: 'Bristol', lat: 51.454, lon: -2.588, street: '1 Temple Quay, Bristol BS1 6DG' },
  ] },
  { name: 'United States', code: 'US', currency: 'USD', rate: 1.08, share: 25, sites: [
    { city: 'New York', lat: 40.713, lon: -74.006, street: '200 Park Avenue, New York, NY 10166' },
    { city: 'Austin', lat: 30.267, lon: -97.743, street: '500 W 2nd St, Austin, TX 78701' },
    { city: 'San Francisco', lat: 37.775, lon: -122.419, street: '101 California St, San Francisco, CA 94111' },
    { city: 'Chicago', lat: 41.878, lon: -87.63, street: '233 S Wacker Dr, Chicago, IL 60606' },
  ] },
  { name: 'France', code: 'FR', currency: 'EUR', rate: 1, share: 10, sites: [
    { city: 'Paris', lat: 48.857, lon: 2.352, street: '40 Rue du Louvre, 75001 Paris' },
    { city: 'Lyon', lat: 45.764, lon: 4.836, street: '10 Rue de la République, 69001 Lyon' },
    { city: 'Toulouse', lat: 43.605, lon: 1.444, street: '5 Allées Jean Jaurès, 31000 Toulouse' },
    { city: 'Lille', lat: 50.629, lon: 3.057, street: '2 Place du Théâtre, 59800 Lille' },
  ] },
  { name: 'Netherlands', code: 'NL', currency: 'EUR', rate: 1, share: 8, sites: [
    { city: 'Amsterdam', lat: 52.368, lon: 4.904, street: 'Gustav Mahlerlaan 10, 1082 PP Amsterdam' },
    { city: 'Rotterdam', lat: 51.924, lon: 4.478, street: 'Wilhelminakade 1, 3072 AP Rotterdam' },
    { city: 'Utrecht', lat: 52.091, lon: 5.122, street: 'Stationsplein 1, 3511 ED Utrecht' },
    { city: 'Eindhoven', lat: 51.441, lon: 5.47, street: 'High Tech Campus 5, 5656 AE Eindhoven' },
  ] },
  { name: 'Spain', code: 'ES', currency: 'EUR', rate: 1, share: 7, sites: [
    { city: 'Madrid', lat: 40.417, lon: -3.704, street: 'Paseo de la Castellana 95, 28046 Madrid' },
    { city: 'Barcelona', lat: 41.385, lon: 2.173, street: 'Avinguda Diagonal 640, 08017 Barcelona' },
    { city: 'Valencia', lat: 39.47, lon: -0.376, street: 'Carrer de Colón 1, 46004 València' },
    { city: 'Seville', lat: 37.389, lon: -5.984, street: 'Avenida de la Constitución 20, 41004 Sevilla' },
  ] },
  { name: 'Poland', code: 'PL', currency: 'PLN', rate: 4.3, share: 5, sites: [
    { city: 'Warsaw', lat: 52.23, lon: 21.012, street: 'ul. Marszałkowska 126, 00-008 Warszawa' },
    { city: 'Krakow', lat: 50.065, lon: 19.945, street: 'ul. Kamieńskiego 47, 30-644 Kraków' },
    { city: 'Wroclaw', lat: 51.108, lon: 17.039, street: 'ul. Legnicka 48, 54-202 Wrocław' },
    { city: 'Gdansk', lat: 54.352, lon: 18.646, street: 'ul. Grunwaldzka 472, 80-309 Gdańsk' },
  ] },
  { name: 'Japan', code: 'JP', currency: 'JPY', rate: 160, share: 5, sites: [
    { city: 'Tokyo', lat: 35.676, lon: 139.65, street: '2-7-2 Marunouchi, Chiyoda-ku, Tokyo' },
    { city: 'Osaka', lat: 34.694, lon: 135.502, street: '3-6-1 Umeda, Kita-ku, Osaka' },
    { city: 'Nagoya', lat: 35.181, lon: 136.906, street: '4-7-1 Meieki, Nakamura-ku, Nagoya' },
    { city: 'Fukuoka', lat: 33.59, lon: 130.402, street: '1-1-1 Hakataeki, Hakata-ku, Fukuoka' },
  ] },
];

export const ROOMS: readonly string[] = ['IT store', 'Floor 1', 'Floor 2', 'Server room', 'Reception'];

// ---------- people ----------

export const FIRST_NAMES: readonly string[] = [
  'Anna', 'Ben', 'Chloé', 'David', 'Emma', 'Felix', 'Grace', 'Hiro', 'Isabel', 'Jonas', 'Karin', 'Lukas', 'Maria', 'Noah',
  'Olivia', 'Pierre', 'Quentin', 'Rosa', 'Sven', 'Tomasz', 'Ursula', 'Victor', 'Wen', 'Xavier', 'Yuki', 'Zofia', 'Amir',
  'Beatriz', 'Carlos', 'Daniela', 'Elif', 'Finn', 'Giulia', 'Hannah', 'Ivan', 'Julia', 'Kenji', 'Lea', 'Mateo', 'Nina',
];

export const LAST_NAMES: readonly string[] = [
  'Müller', 'Smith', 'García', 'Dubois', 'de Vries', 'Kowalski', 'Tanaka', 'Johnson', 'Schmidt', 'Brown', 'Martínez', 'Bernard',
  'Jansen', 'Nowak', 'Suzuki', 'Williams', 'Schneider', 'Taylor', 'López', 'Moreau', 'Bakker', 'Wiśniewski', 'Sato',
  'Miller', 'Fischer', 'Wilson', 'Fernández', 'Laurent', 'Visser', 'Wójcik', 'Takahashi', 'Davis', 'Weber', 'Evans',
];

export const DEPARTMENTS: readonly [string, string][] = [
  ['Engineering', 'ENG'], ['Sales', 'SAL'], ['Marketing', 'MKT'], ['Finance', 'FIN'], ['Human Resources', 'HR'],
  ['Legal', 'LEG'], ['IT Operations', 'ITO'], ['Customer Support', 'SUP'], ['Product', 'PRD'], ['Design', 'DES'],
  ['Procurement', 'PRC'], ['Facilities', 'FAC'], ['Security', 'SEC'], ['Data Science', 'DSC'], ['Research', 'RES'],
  ['Operations', 'OPS'], ['Executive Office', 'EXE'], ['Quality Assurance', 'QA'], ['Logistics', 'LOG'], ['Training', 'TRN'],
];

/** ASCII local part for emails: "Chloé de Vries" → "chloe.devries". */
export const emailLocal = (first: string, last: string): string =>
  `${first}.${last}`.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/ł/g, 'l').replace(/ś/g, 's').toLowerCase().replace(/[^a-z.]/g, '');

// ---------- serial numbers ----------

const B36 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * A bijection on [0, space): n ↦ (n·a + b) mod space, with gcd(a, space) = 1. Consecutive
 * counters come out looking random but never collide, so serials are unique without bookkeeping.
 */
function scramble(n: number, space: bigint, a: bigint, b: bigint): bigint {
  return (BigInt(n) * a + b) % space;
}

function base36(x: bigint, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = B36[Number(x % 36n)] + out;
    x /= 36n;
  }
  return out;
}

const digits = (x: bigint, width: number): string => x.toString().padStart(width, '0');

// A multiplier coprime to 2, 3 and 5, hence to every 36^k and 10^k space (golden-ratio constant, nudged).
const A = 0x9e3779b97f4a7c19n;

/** Luhn check digit (ICCIDs and IMEIs carry one). */
function luhn(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/**
 * The n-th serial of a manufacturer, in that manufacturer's real-world format: Dell service tags
 * (7 chars), HP (CND/5CG + 7), Lenovo (PF + 6), Apple (10 random chars), Microsoft (12 digits),
 * Cisco (FOC + yyww + 4), Samsung (R58 + 8), SIM cards (19-digit ICCID with Luhn digit), others
 * (a 3-letter prefix + 9). Unique per manufacturer for any n below the format's space.
 */
export function serialFor(manufacturer: string, n: number): string {
  const m = BigInt(manufacturer.length * 7919 + (manufacturer.charCodeAt(0) || 0));
  switch (manufacturer) {
    case 'Dell':
      return base36(scramble(n, 36n ** 7n, A, m), 7);
    case 'HP':
      return `${['CND', '5CG', 'MXL'][n % 3]}${base36(scramble(n, 36n ** 7n, A, m), 7)}`;
    case 'Lenovo':
      return `PF${base36(scramble(n, 36n ** 6n, A, m), 6)}`;
    case 'Apple':
      return base36(scramble(n, 36n ** 10n, A, m), 10);
    case 'Microsoft':
      return digits(scramble(n, 10n ** 12n, A, m), 12);
    case 'Cisco': {
      const x = scramble(n, 50n * 10n * 36n ** 4n, A, m);
      const week = Number(x / (10n * 36n ** 4n));
      const year = Number((x / 36n ** 4n) % 10n);
      return `FOC${18 + year}${String(week + 1).padStart(2, '0')}${base36(x % 36n ** 4n, 4)}`;
    }
    case 'Samsung':
      return `R58${base36(scramble(n, 36n ** 8n, A, m), 8)}`;
    case 'Vodafone': {
      const body = `894902${digits(scramble(n, 10n ** 12n, A, m), 12)}`;
      return body + luhn(body);
    }
    default:
      return `${manufacturer.replace(/[^A-Za-z]/g, '').slice(0, 3).toUpperCase()}${base36(scramble(n, 36n ** 9n, A, m), 9)}`;
  }
}

/** 15-digit IMEI (TAC + serial + Luhn) for phone custom fields. */
export function imeiFor(n: number): string {
  const body = `35${digits(scramble(n, 10n ** 12n, A, 12345n), 12)}`;
  return body + luhn(body);
}
