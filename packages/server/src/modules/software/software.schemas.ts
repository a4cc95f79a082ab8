import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from '../../lib/schemas.js';

export const RuleKind = Type.Union([Type.Literal('rename'), Type.Literal('merge'), Type.Literal('ignore')], {
  description: 'rename: set the publisher and/or name (unset parts are kept); merge: map into one product (publisher and name, e.g. an existing product); ignore: do not store installations of the matching products',
});
export const MatchMode = Type.Union([Type.Literal('exact'), Type.Literal('contains'), Type.Literal('regex')], {
  description: 'exact / contains: case-insensitive; regex: JavaScript regular expression, case-insensitive',
});

const Pattern = Type.String({ minLength: 1, maxLength: 200 });
const TargetText = Type.String({ minLength: 1, maxLength: 200 });

export const RuleMatch = Type.Object({
  mode: MatchMode,
  publisher: Type.Optional(Nullable(Pattern)),
  name: Type.Optional(Nullable(Pattern)),
}, { additionalProperties: false, description: 'Matches the normalised publisher and/or product name (at least one); both given: both must match' });

export const RuleTarget = Type.Object({
  publisher: Type.Optional(Nullable(TargetText)),
  name: Type.Optional(Nullable(TargetText)),
}, { additionalProperties: false, description: 'rename: at least one of publisher/name; merge: name required, publisher null for none; ignore: none' });

export const Rule = Type.Object({
  id: Uuid,
  kind: RuleKind,
  match: Type.Object({ mode: MatchMode, publisher: Nullable(Type.String()), name: Nullable(Type.String()) }),
  target: Type.Object({ publisher: Nullable(Type.String()), name: Nullable(Type.String()) }),
  position: Type.Integer({ description: 'Rules apply in ascending position, starting at 1' }),
  createdBy: Nullable(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const RuleCreate = Type.Object({
  kind: RuleKind,
  match: RuleMatch,
  target: Type.Optional(RuleTarget),
  position: Type.Optional(Type.Integer({ minimum: 1, description: 'Where to insert (default: last)' })),
}, { additionalProperties: false });

export const RuleUpdate = Type.Object({
  kind: Type.Optional(RuleKind),
  match: Type.Optional(RuleMatch),
  target: Type.Optional(RuleTarget),
  position: Type.Optional(Type.Integer({ minimum: 1, description: 'Move the rule to this position' })),
}, { additionalProperties: false });

export const RulePreviewInput = Type.Object({
  kind: RuleKind,
  match: RuleMatch,
  target: Type.Optional(RuleTarget),
}, { additionalProperties: false });

export const RuleEffect = Type.Object({
  installationsRemapped: Type.Integer({ description: 'Installations moved to another product' }),
  installationsRemoved: Type.Integer({ description: 'Installations deleted: of ignored products, or duplicates after a merge' }),
  productsIgnored: Type.Integer({ description: 'Products newly flagged ignored' }),
  productsRestored: Type.Integer({ description: 'Products no longer ignored' }),
  productsRemoved: Type.Integer({ description: 'Products left without installations, deleted' }),
}, { description: 'What re-applying the rules to the existing installations changed' });

export const RuleResult = Type.Object({ rule: Rule, effect: RuleEffect });

export const RulePreview = Type.Object({
  products: Type.Integer({ description: 'Catalogue products the rule matches now' }),
  installations: Type.Integer({ description: 'Their installations' }),
  devices: Type.Integer({ description: 'Devices with at least one of them' }),
  sample: Type.Array(Type.Object({ id: Uuid, publisher: Nullable(Type.String()), name: Type.String() }), { description: 'Up to 20 matching products' }),
});

export const VersionCount = Type.Object({
  version: Nullable(Type.String({ description: 'null: the agent reported no version' })),
  installations: Type.Integer(),
  devices: Type.Integer(),
});

export const Product = Type.Object({
  id: Uuid,
  publisher: Nullable(Type.String()),
  name: Type.String(),
  ignored: Type.Boolean(),
  installationCount: Type.Integer(),
  deviceCount: Type.Integer(),
  versions: Type.Array(VersionCount, { description: 'Versions, most installed first' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const ProductDetail = Type.Object({
  ...Product.properties,
  rawNames: Type.Array(Type.Object({ publisher: Nullable(Type.String()), name: Type.String(), installations: Type.Integer() }), { description: 'What agents called it (up to 50, most frequent first)' }),
});

export const ProductSort = Type.String({
  pattern: '^-?(name|publisher|installations|devices)$',
  description: 'name (default), publisher, installations or devices; a leading "-" sorts descending',
});

export const ProductQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Case-insensitive substring of the name or publisher' })),
  ignored: Type.Optional(Type.Boolean({ description: 'true: only ignored products; false: only the others; absent: all' })),
  sort: Type.Optional(ProductSort),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
}, { additionalProperties: false });

export const ProductPage = Type.Object({ items: Type.Array(Product), total: Type.Integer(), nextOffset: Nullable(Type.Integer()) });

export const MergeInput = Type.Object({ into: Uuid }, { additionalProperties: false });

export const Installation = Type.Object({
  id: Uuid,
  deviceId: Uuid,
  hostname: Nullable(Type.String()),
  asset: Nullable(Type.Object({ id: Uuid, assetTag: Type.String(), name: Nullable(Type.String()) })),
  version: Nullable(Type.String()),
  arch: Nullable(Type.String()),
  installDate: Nullable(Type.String({ description: 'YYYY-MM-DD' })),
  source: Nullable(Type.String()),
  rawName: Type.String(),
  rawPublisher: Nullable(Type.String()),
  firstSeenAt: Timestamp,
  lastSeenAt: Timestamp,
});

export const InstallationQuery = Type.Object({
  version: Type.Optional(Type.String({ maxLength: 200, description: 'Only this version ("" for installations without a version)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 })),
}, { additionalProperties: false });

export const InstallationPage = Type.Object({ items: Type.Array(Installation), total: Type.Integer(), nextOffset: Nullable(Type.Integer()) });

export const AssetSoftware = Type.Object({
  id: Uuid,
  product: Type.Object({ id: Uuid, publisher: Nullable(Type.String()), name: Type.String() }),
  deviceId: Uuid,
  hostname: Nullable(Type.String()),
  version: Nullable(Type.String()),
  arch: Nullable(Type.String()),
  installDate: Nullable(Type.String({ description: 'YYYY-MM-DD' })),
  source: Nullable(Type.String()),
  rawName: Type.String(),
  firstSeenAt: Timestamp,
  lastSeenAt: Timestamp,
});

export type RuleDto = Static<typeof Rule>;
export type RuleCreateInput = Static<typeof RuleCreate>;
export type RuleUpdateInput = Static<typeof RuleUpdate>;
export type RulePreviewInputT = Static<typeof RulePreviewInput>;
export type RuleEffectDto = Static<typeof RuleEffect>;
export type RulePreviewDto = Static<typeof RulePreview>;
export type ProductDto = Static<typeof Product>;
export type ProductDetailDto = Static<typeof ProductDetail>;
export type ProductQueryInput = Static<typeof ProductQuery>;
export type InstallationDto = Static<typeof Installation>;
export type InstallationQueryInput = Static<typeof InstallationQuery>;
export type AssetSoftwareDto = Static<typeof AssetSoftware>;
