import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';
import type { Actor, Ctx } from '../../context.js';
import type { Db, Executor } from '../../db/database.js';
import type { Config } from '../../config.js';
import { AppError, badRequest, conflict, notFound, tooMany, unauthorized, unprocessable, type FieldError } from '../../errors.js';
import { addMinutes, newId, nowIso } from '../../lib/ids.js';
import { decryptSecret, encryptSecret, hashPassword, randomToken, sha256, verifyPassword } from '../../lib/crypto.js';
import { fromDbBool, isUniqueViolation, toDbBool, writeAside } from '../../db/dialect.js';
import { isRole, permissionsOf, type Permission, type Role } from '../../authz/permissions.js';
import * as events from '../events/events.service.js';
import * as repo from './identity.repository.js';

export const SESSION_COOKIE = 'custodian_session';
const SETUP_PURPOSE = 'owner_setup';

export interface UserDto {
  id: string;
  email: string;
  displayName: string;
  totpEnabled: boolean;
  mustChangePassword: boolean;
  isActive: boolean;
  lastLoginAt: string | null;
  createdAt: string;
}

export const toUserDto = (u: repo.UserRow): UserDto => ({
  id: u.id,
  email: u.email,
  displayName: u.display_name,
  totpEnabled: fromDbBool(u.totp_enabled),
  mustChangePassword: fromDbBool(u.must_change_password),
  isActive: fromDbBool(u.is_active),
  lastLoginAt: u.last_login_at,
  createdAt: u.created_at,
});

export function passwordProblems(password: string, email: string | null, path = '/body/password'): FieldError[] {
  const out: FieldError[] = [];
  if (password.length < 10) out.push({ path, message: 'must be at least 10 characters', code: 'too_short' });
  if (password.length > 256) out.push({ path, message: 'must be at most 256 characters', code: 'too_long' });
  if (email && password.toLowerCase() === email.toLowerCase()) out.push({ path, message: 'must not be your email address', code: 'weak' });
  if (/^(.)\1+$/.test(password)) out.push({ path, message: 'must not be one repeated character', code: 'weak' });
  return out;
}

const actorForUser = (u: repo.UserRow, orgId: string | null = null, role: Role | null = null): Actor => ({
  type: 'user', userId: u.id, label: u.email, orgId, role, permissions: role ? permissionsOf(role) : new Set(),
});

/** Creates a user account (no membership). Used by setup, members admin and `create-admin`. */
export async function createUser(
  trx: Executor, ctx: Ctx,
  input: { email: string; displayName: string; password: string | null; mustChangePassword?: boolean },
): Promise<repo.UserRow> {
  const email = input.email.trim().toLowerCase();
  if (input.password) {
    const problems = passwordProblems(input.password, email);
    if (problems.length) throw unprocessable('user.weak_password', 'The password does not meet the policy.', problems);
  }
  const now = nowIso();
  const row: repo.UserRow = {
    id: newId(), email, display_name: input.displayName.trim(), password_hash: input.password ? await hashPassword(input.password) : null,
    must_change_password: toDbBool(!!input.mustChangePassword), totp_secret_enc: null, totp_pending_enc: null, totp_enabled: 0,
    is_active: 1, last_login_at: null, created_at: now, updated_at: now,
  };
  try {
    await repo.insertUser(trx, row);
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('user.email_taken', 'A user with this email already exists.', {}, [{ path: '/body/email', message: 'is already in use', code: 'duplicate' }]);
    throw err;
  }
  await events.record(trx, ctx, {
    orgId: null, action: 'user.created', entityType: 'user', entityId: row.id,
    changes: events.diff(null, { email, displayName: row.display_name }, ['email', 'displayName']),
  });
  return row;
}

/** Sets a password (hashing it), optionally forcing a change at next sign-in; ends the user's sessions. */
export async function setPassword(trx: Executor, ctx: Ctx, user: repo.UserRow, password: string, opts: { mustChange: boolean; keepSessionId?: string; action: string }): Promise<void> {
  const problems = passwordProblems(password, user.email, opts.action === 'user.password_changed' ? '/body/newPassword' : '/body/password');
  if (problems.length) throw unprocessable('user.weak_password', 'The password does not meet the policy.', problems);
  await repo.updateUser(trx, user.id, { password_hash: await hashPassword(password), must_change_password: toDbBool(opts.mustChange), updated_at: nowIso() });
  await repo.deleteUserSessions(trx, user.id, opts.keepSessionId);
  await repo.clearThrottle(trx, throttleKey(user.email));
  await events.record(trx, ctx, { orgId: null, action: opts.action, entityType: 'user', entityId: user.id, changes: { password: { before: '[redacted]', after: '[redacted]' } } });
}

// ---------- sessions ----------

export interface SessionMeta { ip: string | null; userAgent: string | null }

export interface ResolvedSession { actor: Actor; session: repo.SessionRow; user: repo.UserRow }

async function actorInOrg(db: Executor, user: repo.UserRow, orgId: string | null, base: Partial<Actor> = {}): Promise<Actor> {
  if (orgId) {
    const m = await repo.membershipOf(db, orgId, user.id);
    if (m && isRole(m.role)) return { ...actorForUser(user, orgId, m.role), ...base };
  }
  return { ...actorForUser(user), ...base };
}

/** Resolves a session cookie to an actor; returns null for unknown, expired or MFA-pending sessions. */
export async function resolveSession(db: Db, config: Config, rawToken: string): Promise<ResolvedSession | null> {
  const session = await repo.findSession(db, sha256(rawToken));
  const now = nowIso();
  if (!session || session.expires_at <= now || fromDbBool(session.mfa_pending)) return null;
  const user = await repo.findUserById(db, session.user_id);
  if (!user || !fromDbBool(user.is_active)) return null;
  // Sliding expiry, written at most once a minute per session (not waited for during a long import).
  if (Date.parse(now) - Date.parse(session.last_seen_at) > 60_000) {
    await writeAside(db, `session:${session.id}`, () => repo.updateSession(db, session.id, { last_seen_at: now, expires_at: addMinutes(now, config.sessionTtlHours * 60) }));
  }
  const actor = await actorInOrg(db, user, session.org_id, { sessionId: session.id });
  return { actor, session, user };
}

export function throttleKey(email: string): string {
  return `login:${sha256(email.trim().toLowerCase())}`;
}

function lockedMessage(until: string): AppError {
  const seconds = Math.max(1, Math.ceil((Date.parse(until) - Date.now()) / 1000));
  return tooMany(`Too many failed sign-in attempts. Try again in ${Math.ceil(seconds / 60)} minute(s).`, seconds);
}

async function recordFailure(db: Db, config: Config, key: string): Promise<void> {
  const now = nowIso();
  const t = await repo.getThrottle(db, key);
  // Failures count within one lock window; an old streak starts over.
  const fresh = !t || Date.parse(t.first_failure_at) < Date.now() - config.loginLockMinutes * 60_000;
  const failures = fresh ? 1 : t.failures + 1;
  const lockedUntil = failures >= config.loginMaxAttempts ? addMinutes(now, config.loginLockMinutes) : null;
  await repo.upsertThrottle(db, key, failures, fresh ? now : t.first_failure_at, lockedUntil);
}

async function openSession(trx: Executor, config: Config, user: repo.UserRow, meta: SessionMeta, mfaPending: boolean): Promise<{ token: string; session: repo.SessionRow }> {
  const memberships = await repo.membershipsOfUser(trx, user.id);
  const token = randomToken();
  const now = nowIso();
  const session: repo.SessionRow = {
    id: sha256(token), user_id: user.id, org_id: memberships[0]?.org_id ?? null, csrf_token: randomToken(24),
    mfa_pending: toDbBool(mfaPending), created_at: now,
    expires_at: addMinutes(now, mfaPending ? 10 : config.sessionTtlHours * 60), last_seen_at: now,
    ip: meta.ip, user_agent: meta.userAgent?.slice(0, 500) ?? null,
  };
  await repo.insertSession(trx, session);
  return { token, session };
}

export interface LoginResult { token: string; mfaRequired: boolean }

/**
 * Password sign-in. The same 401 answers an unknown email, a wrong password and a disabled
 * account; the lockout is keyed by the email typed, so it also applies to emails with no account
 * and does not reveal which accounts exist.
 */
export async function login(ctx: Ctx, input: { email: string; password: string }, meta: SessionMeta): Promise<LoginResult> {
  const key = throttleKey(input.email);
  const t = await repo.getThrottle(ctx.db, key);
  if (t?.locked_until && t.locked_until > nowIso()) throw lockedMessage(t.locked_until);
  const user = await repo.findUserByEmail(ctx.db, input.email.trim());
  const ok = await verifyPassword(input.password, user?.password_hash ?? null);
  if (!user || !ok || !fromDbBool(user.is_active)) {
    await recordFailure(ctx.db, ctx.config, key);
    const after = await repo.getThrottle(ctx.db, key);
    if (after?.locked_until && after.locked_until > nowIso()) throw lockedMessage(after.locked_until);
    throw unauthorized('Email or password is incorrect.', 'auth.invalid_credentials');
  }
  const mfa = fromDbBool(user.totp_enabled);
  return ctx.db.transaction().execute(async (trx) => {
    await repo.clearThrottle(trx, key);
    const { token, session } = await openSession(trx, ctx.config, user, meta, mfa);
    if (!mfa) await completeLogin(trx, { ...ctx, actor: actorForUser(user) }, user, session.id);
    return { token, mfaRequired: mfa };
  });
}

async function completeLogin(trx: Executor, ctx: Ctx, user: repo.UserRow, sessionId: string): Promise<void> {
  const now = nowIso();
  await repo.updateUser(trx, user.id, { last_login_at: now });
  await events.record(trx, ctx, { orgId: null, action: 'user.signed_in', entityType: 'user', entityId: user.id, meta: { sessionId: sessionId.slice(0, 12) } });
}

function totpFor(user: repo.UserRow, secretBase32: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({ issuer: 'Custodian', label: user.email, algorithm: 'SHA1', digits: 6, period: 30, secret: OTPAuth.Secret.fromBase32(secretBase32) });
}

const validCode = (totp: OTPAuth.TOTP, code: string): boolean => totp.validate({ token: code.replace(/\s+/g, ''), window: 1 }) !== null;

/** Second step of sign-in for accounts with TOTP: turns the pending session into a full one. */
export async function completeTotpLogin(ctx: Ctx, rawToken: string | undefined, code: string): Promise<void> {
  const session = rawToken ? await repo.findSession(ctx.db, sha256(rawToken)) : undefined;
  if (!session || !fromDbBool(session.mfa_pending) || session.expires_at <= nowIso()) {
    throw unauthorized('Sign in with your password first.', 'auth.mfa_session_missing');
  }
  const user = await repo.findUserById(ctx.db, session.user_id);
  if (!user?.totp_secret_enc) throw unauthorized('Sign in with your password first.', 'auth.mfa_session_missing');
  const key = `totp:${user.id}`;
  const t = await repo.getThrottle(ctx.db, key);
  if (t?.locked_until && t.locked_until > nowIso()) throw lockedMessage(t.locked_until);
  if (!validCode(totpFor(user, decryptSecret(ctx.config.appSecret, user.totp_secret_enc)), code)) {
    await recordFailure(ctx.db, ctx.config, key);
    throw unauthorized('The code is not valid. Check your authenticator app and try again.', 'auth.invalid_code');
  }
  await ctx.db.transaction().execute(async (trx) => {
    await repo.clearThrottle(trx, key);
    const now = nowIso();
    await repo.updateSession(trx, session.id, { mfa_pending: 0, last_seen_at: now, expires_at: addMinutes(now, ctx.config.sessionTtlHours * 60) });
    await completeLogin(trx, { ...ctx, actor: actorForUser(user) }, user, session.id);
  });
}

export async function logout(ctx: Ctx): Promise<void> {
  const sessionId = ctx.actor.sessionId;
  if (!sessionId || !ctx.actor.userId) return;
  const userId = ctx.actor.userId;
  await ctx.db.transaction().execute(async (trx) => {
    await repo.deleteSession(trx, sessionId);
    await events.record(trx, ctx, { orgId: null, action: 'user.signed_out', entityType: 'user', entityId: userId });
  });
}

export interface SessionInfo {
  user: UserDto;
  organizations: { id: string; name: string; slug: string; role: string }[];
  currentOrganization: { id: string; name: string; slug: string } | null;
  role: string | null;
  permissions: Permission[];
  csrfToken: string;
}

export async function sessionInfo(ctx: Ctx, csrfToken: string): Promise<SessionInfo> {
  const user = await requireUser(ctx);
  const memberships = (await repo.membershipsOfUser(ctx.db, user.id))
    // A token is bound to one organization and must not reveal the others its owner belongs to.
    .filter((m) => ctx.actor.type !== 'token' || m.org_id === ctx.actor.orgId);
  const current = memberships.find((m) => m.org_id === ctx.actor.orgId);
  return {
    user: toUserDto(user),
    organizations: memberships.map((m) => ({ id: m.org_id, name: m.name, slug: m.slug, role: m.role })),
    currentOrganization: current ? { id: current.org_id, name: current.name, slug: current.slug } : null,
    role: ctx.actor.role,
    permissions: [...ctx.actor.permissions].sort(),
    csrfToken,
  };
}

async function requireUser(ctx: Ctx): Promise<repo.UserRow> {
  const user = ctx.actor.userId ? await repo.findUserById(ctx.db, ctx.actor.userId) : undefined;
  if (!user) throw unauthorized();
  return user;
}

/** Organization switcher: only organizations the user belongs to; anything else is a 404. */
export async function switchOrganization(ctx: Ctx, orgId: string): Promise<void> {
  const user = await requireUser(ctx);
  const m = await repo.membershipOf(ctx.db, orgId, user.id);
  if (!m || !ctx.actor.sessionId) throw notFound('organization', '/body/organizationId');
  await repo.updateSession(ctx.db, ctx.actor.sessionId, { org_id: orgId });
}

export async function changePassword(ctx: Ctx, input: { currentPassword: string; newPassword: string }): Promise<void> {
  const user = await requireUser(ctx);
  if (!(await verifyPassword(input.currentPassword, user.password_hash))) {
    throw unprocessable('auth.wrong_password', 'The current password is not correct.', [{ path: '/body/currentPassword', message: 'is not correct', code: 'mismatch' }]);
  }
  await ctx.db.transaction().execute((trx) =>
    setPassword(trx, ctx, user, input.newPassword, { mustChange: false, keepSessionId: ctx.actor.sessionId, action: 'user.password_changed' }),
  );
}

// ---------- TOTP ----------

export async function totpBegin(ctx: Ctx): Promise<{ secret: string; otpauthUrl: string; qrDataUrl: string }> {
  const user = await requireUser(ctx);
  if (fromDbBool(user.totp_enabled)) throw conflict('auth.totp_already_enabled', 'Two-factor authentication is already on; turn it off first to enrol a new device.');
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  await ctx.db.transaction().execute(async (trx) => {
    await repo.updateUser(trx, user.id, { totp_pending_enc: encryptSecret(ctx.config.appSecret, secret), updated_at: nowIso() });
    await events.record(trx, ctx, { orgId: null, action: 'user.totp_enrolment_started', entityType: 'user', entityId: user.id });
  });
  const otpauthUrl = totpFor(user, secret).toString();
  return { secret, otpauthUrl, qrDataUrl: await QRCode.toDataURL(otpauthUrl, { margin: 1, width: 220 }) };
}

export async function totpEnable(ctx: Ctx, code: string): Promise<void> {
  const user = await requireUser(ctx);
  if (!user.totp_pending_enc) throw conflict('auth.totp_not_started', 'Start two-factor enrolment first.');
  const secret = decryptSecret(ctx.config.appSecret, user.totp_pending_enc);
  if (!validCode(totpFor(user, secret), code)) {
    throw unprocessable('auth.invalid_code', 'The code is not valid. Check the time on your phone and try again.', [{ path: '/body/code', message: 'is not valid', code: 'invalid' }]);
  }
  await ctx.db.transaction().execute(async (trx) => {
    await repo.updateUser(trx, user.id, { totp_secret_enc: user.totp_pending_enc, totp_pending_enc: null, totp_enabled: 1, updated_at: nowIso() });
    await events.record(trx, ctx, { orgId: null, action: 'user.totp_enabled', entityType: 'user', entityId: user.id, changes: { totpEnabled: { before: false, after: true } } });
  });
}

export async function totpDisable(ctx: Ctx, password: string): Promise<void> {
  const user = await requireUser(ctx);
  if (!(await verifyPassword(password, user.password_hash))) {
    throw unprocessable('auth.wrong_password', 'The password is not correct.', [{ path: '/body/password', message: 'is not correct', code: 'mismatch' }]);
  }
  await disableTotp(ctx, user);
}

/** Used by the user (with password) and by admins helping a user who lost their device. */
export async function disableTotp(ctx: Ctx, user: repo.UserRow): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await repo.updateUser(trx, user.id, { totp_secret_enc: null, totp_pending_enc: null, totp_enabled: 0, updated_at: nowIso() });
    await events.record(trx, ctx, { orgId: null, action: 'user.totp_disabled', entityType: 'user', entityId: user.id, changes: { totpEnabled: { before: fromDbBool(user.totp_enabled), after: false } } });
  });
}

// ---------- first-start owner setup ----------

export async function needsSetup(db: Executor): Promise<boolean> {
  return (await repo.countUsers(db)) === 0;
}

/** Issues a fresh one-time setup token (older ones stop working); valid 24 hours. */
export async function issueSetupToken(db: Db): Promise<string> {
  const token = randomToken();
  const now = nowIso();
  await db.transaction().execute(async (trx) => {
    await repo.expireOneTimeTokens(trx, SETUP_PURPOSE, now);
    await repo.insertOneTimeToken(trx, { id: newId(), token_hash: sha256(token), purpose: SETUP_PURPOSE, user_id: null, created_at: now, expires_at: addMinutes(now, 24 * 60) });
  });
  return token;
}

export async function setupStatus(ctx: Ctx): Promise<{ needsSetup: boolean }> {
  return { needsSetup: await needsSetup(ctx.db) };
}

export interface SetupInput { token: string; email: string; displayName: string; password: string; organizationName: string }

/**
 * Consumes the setup link: creates the owner account and the first organization in one
 * transaction, and signs the owner in. The organization is created by the organizations module
 * through the callback (modules call services, not each other's repositories).
 */
export async function completeSetup(
  ctx: Ctx, input: SetupInput, meta: SessionMeta,
  createOrg: (trx: Executor, ctx: Ctx, name: string, ownerUserId: string) => Promise<{ id: string }>,
): Promise<string> {
  const tok = await repo.findOneTimeToken(ctx.db, sha256(input.token), SETUP_PURPOSE);
  const now = nowIso();
  if (!tok || tok.used_at || tok.expires_at <= now) {
    throw new AppError(410, 'setup.link_invalid', 'This setup link is no longer valid. Restart the server to print a new one, or use `custodian-server create-admin`.');
  }
  if (!(await needsSetup(ctx.db))) throw conflict('setup.already_done', 'This server is already set up; sign in instead.');
  const problems = passwordProblems(input.password, input.email);
  if (!input.organizationName.trim()) problems.push({ path: '/body/organizationName', message: 'must not be empty', code: 'required' });
  if (problems.length) throw unprocessable('setup.invalid', 'Some fields need attention.', problems);
  return ctx.db.transaction().execute(async (trx) => {
    if (!(await repo.useOneTimeToken(trx, tok.id, now))) throw new AppError(410, 'setup.link_invalid', 'This setup link was already used.');
    const placeholder: Ctx = { ...ctx, actor: { ...ctx.actor, label: input.email.toLowerCase() } };
    const user = await createUser(trx, placeholder, { email: input.email, displayName: input.displayName, password: input.password });
    const ownerCtx: Ctx = { ...ctx, actor: actorForUser(user) };
    await createOrg(trx, ownerCtx, input.organizationName, user.id);
    const { token, session } = await openSession(trx, ctx.config, user, meta, false);
    await completeLogin(trx, ownerCtx, user, session.id);
    return token;
  });
}

/** Housekeeping: expired sessions and stale lockout counters. Run hourly by the server. */
export async function purgeExpired(db: Executor): Promise<void> {
  const now = nowIso();
  await repo.deleteExpiredSessions(db, now);
  await repo.deleteStaleThrottles(db, addMinutes(now, -24 * 60));
}

export const findUserByEmail = (db: Executor, email: string) => repo.findUserByEmail(db, email);
export const findUserById = (db: Executor, id: string) => repo.findUserById(db, id);

export async function requireUserByEmail(db: Executor, email: string): Promise<repo.UserRow> {
  const u = await repo.findUserByEmail(db, email);
  if (!u) throw badRequest('user.not_found', `No user with email ${email}.`);
  return u;
}

export const membershipsOfUser = (db: Executor, userId: string) => repo.membershipsOfUser(db, userId);
export const endAllSessions = (db: Executor, userId: string) => repo.deleteUserSessions(db, userId);
export const clearLoginThrottle = (db: Executor, email: string) => repo.clearThrottle(db, throttleKey(email));
export const deactivate = (db: Executor, userId: string, active: boolean) => repo.updateUser(db, userId, { is_active: toDbBool(active), updated_at: nowIso() });
