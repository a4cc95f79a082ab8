/**
 * The agent-message parser worker (discovery.parse-pool.ts): the same messages and the same errors
 * as parsing inline, and inline parsing when the worker is gone. The worker runs the compiled
 * parser (dist/, built by `npm test` before the tests).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CanonicalDevice } from '../src/modules/discovery/discovery.canonical.js';
import { fusionXmlToDevice, NormalizeError, parseXmlMessage, prepareMessage } from '../src/modules/discovery/discovery.normalize.js';
import { ParserPool } from '../src/modules/discovery/discovery.parse-pool.js';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`./fixtures/agents/${name}`, import.meta.url)), 'utf8');
const COMPILED = new URL('../dist/modules/discovery/discovery.normalize.js', import.meta.url);

describe('agent message parser worker', () => {
  const pool = new ParserPool(COMPILED);
  afterAll(() => pool.stop());

  it('parses XML and JSON inventories exactly as inline parsing does, several at once, with the canonical record made', async () => {
    const xml = fixture('fusioninventory-2.6_local_fake-dmidecode-dell-r640.xml');
    const json = fixture('glpi-agent-1.12dev_local_fake-dmidecode-dell-r640_full.json');
    const [a, b, c] = await Promise.all([pool.parse(xml, 'xml'), pool.parse(json, 'json'), pool.parse(fixture('fusioninventory-2.6_submitted_PROLOG.xml'), 'xml')]);
    expect(a).toEqual(prepareMessage(xml, 'xml'));
    expect(a.query).toBe('INVENTORY');
    if (!a.inventory || 'error' in a.inventory) throw new Error('the R640 inventory has a record');
    const record = JSON.parse(a.inventory.record) as CanonicalDevice;
    expect(record).toEqual(fusionXmlToDevice(xml));
    expect(record.software).toHaveLength(837);
    expect(a.inventory.named).toBe(true);
    expect(a.inventory.sections).toEqual(Object.keys(parseXmlMessage(xml).content ?? {}).sort());
    expect(b).toEqual(prepareMessage(json, 'json'));
    expect(c).toMatchObject({ query: 'PROLOG', inventory: null });
    expect(pool.alive).toBe(true);
  });

  it('a malformed message is a NormalizeError with the inline message', async () => {
    const bad = '<?xml version="1.0"?><REQUEST><QUERY>INVENTORY</QUERY><CONTENT><BIOS></CONTENT></REQUEST>';
    let inline: unknown;
    try {
      parseXmlMessage(bad);
    } catch (err) {
      inline = err;
    }
    expect(inline).toBeInstanceOf(NormalizeError);
    const err = await pool.parse(bad, 'xml').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NormalizeError);
    expect((err as Error).message).toBe((inline as Error).message);
  });

  it('an inventory no record can be made of carries the reason, for the payload to be stored as failed', async () => {
    const msg = await pool.parse('<REQUEST><QUERY>INVENTORY</QUERY><DEVICEID>x</DEVICEID></REQUEST>', 'xml');
    expect(msg).toMatchObject({ query: 'INVENTORY', deviceId: 'x', inventory: { error: 'the inventory has no CONTENT section' } });
  });

  it('a worker that cannot load the parser leaves nothing hanging: messages are parsed inline', async () => {
    const broken = new ParserPool(new URL('./no-such-parser.js', COMPILED));
    const xml = fixture('fusioninventory-2.6_submitted_PROLOG.xml');
    const msg = await broken.parse(xml, 'xml');
    expect(msg).toEqual(prepareMessage(xml, 'xml'));
    // The worker died meanwhile or dies now; either way later messages are parsed inline.
    await new Promise((r) => setTimeout(r, 200));
    expect(broken.alive).toBe(false);
    expect((await broken.parse(xml, 'xml')).query).toBe('PROLOG');
    await broken.stop();
  });
});
