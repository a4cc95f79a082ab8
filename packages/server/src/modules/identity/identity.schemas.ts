import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from '../../lib/schemas.js';

export const Email = Type.String({ format: 'email', maxLength: 254 });
export const Password = Type.String({ minLength: 1, maxLength: 256 });

export const User = Type.Object({
  id: Uuid, email: Type.String(), displayName: Type.String(), totpEnabled: Type.Boolean(), mustChangePassword: Type.Boolean(),
  isActive: Type.Boolean(), lastLoginAt: Nullable(Timestamp), createdAt: Timestamp,
});

export const LoginBody = Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }), password: Password }, { additionalProperties: false });
export const LoginResponse = Type.Object({ mfaRequired: Type.Boolean() });
export const TotpCodeBody = Type.Object({ code: Type.String({ pattern: '^\\s*\\d{3}\\s*\\d{3}\\s*$', description: '6-digit code' }) }, { additionalProperties: false });

const OrgRef = Type.Object({ id: Uuid, name: Type.String(), slug: Type.String() });
export const SessionInfo = Type.Object({
  user: User,
  organizations: Type.Array(Type.Object({ id: Uuid, name: Type.String(), slug: Type.String(), role: Type.String() })),
  currentOrganization: Nullable(OrgRef),
  role: Nullable(Type.String()),
  permissions: Type.Array(Type.String()),
  csrfToken: Type.String({ description: 'Send as X-CSRF-Token on every cookie-authenticated write' }),
});

export const SwitchOrgBody = Type.Object({ organizationId: Uuid }, { additionalProperties: false });
export const ChangePasswordBody = Type.Object({ currentPassword: Password, newPassword: Password }, { additionalProperties: false });
export const TotpSetupResponse = Type.Object({ secret: Type.String(), otpauthUrl: Type.String(), qrDataUrl: Type.String() });
export const PasswordBody = Type.Object({ password: Password }, { additionalProperties: false });

export const SetupStatus = Type.Object({ needsSetup: Type.Boolean() });
export const SetupBody = Type.Object({
  token: Type.String({ minLength: 10, maxLength: 200 }),
  email: Email,
  displayName: Type.String({ minLength: 1, maxLength: 200 }),
  password: Password,
  organizationName: Type.String({ minLength: 1, maxLength: 200 }),
}, { additionalProperties: false });
