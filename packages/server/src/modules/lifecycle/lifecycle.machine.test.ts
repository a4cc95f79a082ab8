import { describe, expect, it } from 'vitest';
import { LIFECYCLE_STATES, TRANSITIONS, allowedFrom, planTransition } from './lifecycle.machine.js';

describe('lifecycle state machine', () => {
  it('follows the declared path ordered → in_stock → deployed ↔ in_repair → in_stock → retired → pending_disposition → disposed', () => {
    expect(planTransition('ordered', 'in_stock').ok).toBe(true);
    expect(planTransition('in_stock', 'deployed', { viaCustody: true }).ok).toBe(true);
    expect(planTransition('deployed', 'in_repair').ok).toBe(true);
    expect(planTransition('in_repair', 'deployed').ok).toBe(true);
    expect(planTransition('in_repair', 'in_stock').ok).toBe(true);
    expect(planTransition('in_stock', 'retired', { reason: 'old' }).ok).toBe(true);
    expect(planTransition('retired', 'pending_disposition').ok).toBe(true);
    expect(planTransition('pending_disposition', 'disposed').ok).toBe(true);
  });

  it('refuses moves that are not declared, and says which are allowed', () => {
    const p = planTransition('disposed', 'in_stock');
    expect(p.ok).toBe(false);
    if (!p.ok) {
      expect(p.reason).toBe('not_allowed');
      expect(p.allowed).toEqual([]);
    }
    const q = planTransition('in_stock', 'disposed');
    expect(q.ok).toBe(false);
    if (!q.ok) expect(q.allowed.map((x) => x.to)).toEqual(expect.arrayContaining(['in_repair', 'retired', 'missing', 'stolen']));
  });

  it('keeps check-out and check-in to the custody module', () => {
    expect(planTransition('in_stock', 'deployed')).toMatchObject({ ok: false, reason: 'custody_only' });
    expect(planTransition('deployed', 'in_stock')).toMatchObject({ ok: false, reason: 'custody_only' });
    expect(allowedFrom('in_stock').some((x) => x.to === 'deployed')).toBe(false);
  });

  it('requires a reason to retire, report missing or stolen, and reverse a retirement', () => {
    expect(planTransition('in_stock', 'retired')).toMatchObject({ ok: false, reason: 'reason_required' });
    expect(planTransition('deployed', 'stolen', { reason: ' ' })).toMatchObject({ ok: false, reason: 'reason_required' });
    expect(planTransition('retired', 'in_stock', { reason: 'retired by mistake' }).ok).toBe(true);
  });

  it('lets missing and stolen assets come back, and nothing leave disposed', () => {
    expect(planTransition('missing', 'in_stock').ok).toBe(true);
    expect(planTransition('stolen', 'in_stock').ok).toBe(true);
    expect(TRANSITIONS.filter((x) => x.from === 'disposed')).toEqual([]);
    for (const s of LIFECYCLE_STATES) if (s !== 'disposed' && s !== 'missing' && s !== 'stolen') expect(planTransition(s, 'missing', { reason: 'x' }).ok).toBe(true);
  });

  it('guards disposal of data-bearing media and custody-dependent moves', () => {
    const dispose = TRANSITIONS.find((x) => x.to === 'disposed')!;
    expect(dispose.guards).toContain('sanitization_evidence');
    expect(TRANSITIONS.find((x) => x.from === 'deployed' && x.to === 'in_repair')!.guards).toContain('open_assignment');
  });
});
