/**
 * Permission names as the server declares them (packages/server/src/authz/permissions.ts).
 * Typed here so a typo in a navigation entry or a guard fails the build.
 */
export type Permission =
  | 'org.read' | 'org.update' | 'org.create'
  | 'member.read' | 'member.manage'
  | 'token.own' | 'token.service'
  | 'event.read' | 'dashboard.read'
  | 'department.read' | 'department.manage'
  | 'asset.read' | 'asset.write' | 'asset.delete'
  | 'catalog.read' | 'catalog.manage'
  | 'location.read' | 'location.manage'
  | 'custody.read' | 'custody.manage'
  | 'import.run'
  | 'discovery.read' | 'discovery.manage'
  | 'software.read' | 'software.manage'
  | 'license.read' | 'license.manage'
  | 'contract.read' | 'contract.manage'
  | 'sanitization.read' | 'sanitization.record'
  | 'disposition.read' | 'disposition.manage'
  | 'report.read' | 'selfservice.use' | 'vendor.portal';
