/**
 * THE asset lifecycle: states, allowed transitions and their guards, declared in one table.
 * Services never set `lifecycle_state` directly; they ask `planTransition()` (pure) and the
 * lifecycle service applies it, runs the guards and writes the event.
 */
export const LIFECYCLE_STATES = [
  'ordered', 'in_stock', 'deployed', 'in_repair', 'missing', 'stolen', 'retired', 'pending_disposition', 'disposed',
] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

export const isLifecycleState = (v: string): v is LifecycleState => (LIFECYCLE_STATES as readonly string[]).includes(v);

/** Named guards; their implementations live in lifecycle.guards.ts (some are filled by later modules). */
export type GuardName = 'no_open_assignment' | 'open_assignment' | 'sanitization_evidence';

export interface Transition {
  from: LifecycleState;
  to: LifecycleState;
  /** Verb shown in the UI and recorded as the event action `asset.<action>`. */
  action: string;
  label: string;
  /** `custody`: only check-out/check-in may make this move, not the transition endpoint. */
  via?: 'custody';
  requiresReason?: boolean;
  guards?: GuardName[];
}

const t = (from: LifecycleState, to: LifecycleState, action: string, label: string, extra: Partial<Transition> = {}): Transition => ({ from, to, action, label, ...extra });

export const TRANSITIONS: readonly Transition[] = [
  t('ordered', 'in_stock', 'received', 'Receive into stock'),
  t('ordered', 'retired', 'order_cancelled', 'Cancel the order', { requiresReason: true }),
  t('in_stock', 'deployed', 'checked_out', 'Check out', { via: 'custody' }),
  t('deployed', 'in_stock', 'checked_in', 'Check in', { via: 'custody' }),
  t('deployed', 'in_repair', 'sent_to_repair', 'Send to repair (holder keeps custody)', { guards: ['open_assignment'] }),
  t('in_repair', 'deployed', 'returned_from_repair', 'Back from repair to its holder', { guards: ['open_assignment'] }),
  t('in_stock', 'in_repair', 'sent_to_repair', 'Send to repair', { guards: ['no_open_assignment'] }),
  t('in_repair', 'in_stock', 'returned_from_repair', 'Back from repair into stock', { guards: ['no_open_assignment'] }),
  t('in_stock', 'retired', 'retired', 'Retire', { requiresReason: true, guards: ['no_open_assignment'] }),
  t('in_repair', 'retired', 'retired', 'Retire (beyond repair)', { requiresReason: true, guards: ['no_open_assignment'] }),
  t('retired', 'in_stock', 'unretired', 'Return to stock (reverse retirement)', { requiresReason: true }),
  t('retired', 'pending_disposition', 'disposition_planned', 'Plan disposition', { guards: ['no_open_assignment'] }),
  t('pending_disposition', 'retired', 'disposition_cancelled', 'Cancel disposition', { requiresReason: true }),
  t('pending_disposition', 'disposed', 'disposed', 'Mark disposed', { guards: ['no_open_assignment', 'sanitization_evidence'] }),
  ...(['ordered', 'in_stock', 'deployed', 'in_repair', 'retired', 'pending_disposition'] as const).flatMap((from) => [
    t(from, 'missing', 'reported_missing', 'Report missing', { requiresReason: true }),
    t(from, 'stolen', 'reported_stolen', 'Report stolen', { requiresReason: true }),
  ]),
  t('missing', 'stolen', 'reported_stolen', 'Report stolen', { requiresReason: true }),
  t('missing', 'in_stock', 'found', 'Found: back into stock', { guards: ['no_open_assignment'] }),
  t('stolen', 'in_stock', 'recovered', 'Recovered: back into stock', { guards: ['no_open_assignment'] }),
  t('missing', 'deployed', 'found', 'Found with its holder', { guards: ['open_assignment'] }),
];

/** States from which an asset may be checked out. Retired, disposed, missing… cannot. */
export const CHECKOUT_FROM: readonly LifecycleState[] = ['in_stock'];

/** States in which an asset is out of the organization's hands for good. */
export const TERMINAL: readonly LifecycleState[] = ['disposed'];

export function allowedFrom(from: LifecycleState, opts: { includeCustody?: boolean } = {}): Transition[] {
  return TRANSITIONS.filter((x) => x.from === from && (opts.includeCustody || x.via !== 'custody'));
}

export type Plan =
  | { ok: true; transition: Transition }
  | { ok: false; reason: 'same_state' | 'not_allowed' | 'custody_only' | 'reason_required'; allowed: Transition[] };

/** Pure check of a requested move (guards that need the database are run by the service). */
export function planTransition(from: LifecycleState, to: LifecycleState, opts: { reason?: string | null; viaCustody?: boolean } = {}): Plan {
  const allowed = allowedFrom(from, { includeCustody: opts.viaCustody });
  if (from === to) return { ok: false, reason: 'same_state', allowed };
  const candidates = TRANSITIONS.filter((x) => x.from === from && x.to === to);
  if (!candidates.length) return { ok: false, reason: 'not_allowed', allowed };
  const transition = candidates[0]!;
  if (transition.via === 'custody' && !opts.viaCustody) return { ok: false, reason: 'custody_only', allowed };
  if (transition.requiresReason && !opts.reason?.trim()) return { ok: false, reason: 'reason_required', allowed };
  return { ok: true, transition };
}
