import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Nullable, Ok, Timestamp, Uuid } from '../../lib/schemas.js';
import { ROLES } from '../../authz/permissions.js';
import * as members from './members.service.js';

const tags = ['members'];
const Member = Type.Object({
  userId: Uuid, email: Type.String(), displayName: Type.String(), role: Type.String(), isActive: Type.Boolean(),
  totpEnabled: Type.Boolean(), lastLoginAt: Nullable(Timestamp), joinedAt: Timestamp,
});
const RoleName = Type.Union(ROLES.map((r) => Type.Literal(r)));
const UserParams = Type.Object({ userId: Uuid });

export const memberRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/members', { config: { access: 'member.read' }, schema: { operationId: 'listMembers', tags, summary: 'People in the current organization', querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })) }), response: { 200: Type.Array(Member) } } },
    (req) => members.list(req.ctx, req.query));
  app.post('/members', {
    config: { access: 'member.manage' },
    schema: {
      operationId: 'addMember', tags, summary: 'Add a person (creates the account if new; a temporary password is returned once)',
      body: Type.Object({ email: Type.String({ format: 'email', maxLength: 254 }), displayName: Type.String({ minLength: 1, maxLength: 200 }), role: RoleName, password: Type.Optional(Type.String({ maxLength: 256 })) }, { additionalProperties: false }),
      response: { 201: Type.Object({ member: Member, temporaryPassword: Nullable(Type.String()) }) },
    },
  }, async (req, reply) => reply.code(201).send(await members.add(req.ctx, req.body)));
  app.get('/members/:userId', { config: { access: 'member.read' }, schema: { operationId: 'getMember', tags, params: UserParams, response: { 200: Member } } },
    (req) => members.get(req.ctx, req.params.userId));
  app.patch('/members/:userId', { config: { access: 'member.manage' }, schema: { operationId: 'updateMember', tags, summary: 'Change role or display name', params: UserParams, body: Type.Object({ role: Type.Optional(RoleName), displayName: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }), response: { 200: Member } } },
    (req) => members.update(req.ctx, req.params.userId, req.body));
  app.delete('/members/:userId', { config: { access: 'member.manage' }, schema: { operationId: 'removeMember', tags, summary: 'Remove a person from the organization (their tokens here are deleted)', params: UserParams, response: { 200: Ok } } },
    async (req) => { await members.remove(req.ctx, req.params.userId); return { ok: true as const }; });
  app.post('/members/:userId/reset-password', { config: { access: 'member.manage' }, schema: { operationId: 'resetMemberPassword', tags, summary: 'Set a temporary password (shown once) and end their sessions', params: UserParams, response: { 200: Type.Object({ temporaryPassword: Type.String() }) } } },
    (req) => members.resetPassword(req.ctx, req.params.userId));
  app.post('/members/:userId/disable-2fa', { config: { access: 'member.manage' }, schema: { operationId: 'disableMemberTotp', tags, summary: 'Turn off two-factor sign-in for someone who lost their device', params: UserParams, response: { 200: Ok } } },
    async (req) => { await members.disableTwoFactor(req.ctx, req.params.userId); return { ok: true as const }; });
  app.get('/roles', { config: { access: 'member.read' }, schema: { operationId: 'listRoles', tags, summary: 'Built-in roles and their permissions', response: { 200: Type.Array(Type.Object({ key: Type.String(), label: Type.String(), description: Type.String(), permissions: Type.Array(Type.String()) })) } } },
    () => members.roles());
};

const MemberProfile = Type.Object({
  userId: Uuid,
  employeeNumber: Nullable(Type.String()),
  title: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  departmentId: Nullable(Uuid),
  department: Nullable(Type.Object({ id: Uuid, name: Type.String() })),
  locationId: Nullable(Uuid),
  location: Nullable(Type.Object({ id: Uuid, name: Type.String(), pathNames: Type.Array(Type.String()) })),
  managerUserId: Nullable(Uuid),
  manager: Nullable(Type.Object({ userId: Uuid, displayName: Type.String() })),
  updatedAt: Nullable(Timestamp),
});
const MemberProfileUpdate = Type.Object({
  employeeNumber: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
  title: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  phone: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
  departmentId: Type.Optional(Nullable(Uuid)),
  locationId: Type.Optional(Nullable(Uuid)),
  managerUserId: Type.Optional(Nullable(Uuid)),
}, { additionalProperties: false });

/** Member profiles: where someone sits, their department and manager (registered by memberRoutes). */
export const memberProfileRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/members/:userId/profile', { config: { access: 'member.read' }, schema: { operationId: 'getMemberProfile', tags, summary: 'Employee number, title, phone, department, location and manager', params: UserParams, response: { 200: MemberProfile } } },
    (req) => members.getProfile(req.ctx, req.params.userId));
  app.patch('/members/:userId/profile', { config: { access: 'member.manage' }, schema: { operationId: 'updateMemberProfile', tags, summary: 'Edit a profile (a new location moves the assets the person holds)', params: UserParams, body: MemberProfileUpdate, response: { 200: MemberProfile } } },
    (req) => members.updateProfile(req.ctx, req.params.userId, req.body));
};
