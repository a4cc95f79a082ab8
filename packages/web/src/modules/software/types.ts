/** Software catalogue resources, typed from the generated schema. */
import type { BodyOf, ResponseOf, paths } from '../../api';

export type ProductPage = ResponseOf<'/api/v1/software/products', 'get'>;
export type Product = ProductPage['items'][number];
export type ProductQuery = NonNullable<paths['/api/v1/software/products']['get']['parameters']['query']>;
export type ProductDetail = ResponseOf<'/api/v1/software/products/{id}', 'get'>;
export type InstallationPage = ResponseOf<'/api/v1/software/products/{id}/installations', 'get'>;
export type Installation = InstallationPage['items'][number];
export type AssetSoftware = ResponseOf<'/api/v1/assets/{id}/software', 'get'>[number];
export type Rule = ResponseOf<'/api/v1/software/rules', 'get'>[number];
export type RuleCreate = BodyOf<'/api/v1/software/rules', 'post'>;
export type RuleUpdate = BodyOf<'/api/v1/software/rules/{id}', 'patch'>;
export type RuleResult = ResponseOf<'/api/v1/software/rules', 'post'>;
export type RuleEffect = RuleResult['effect'];
export type RulePreview = ResponseOf<'/api/v1/software/rules/preview', 'post'>;
export type RuleKind = Rule['kind'];
export type MatchMode = Rule['match']['mode'];

export const RULE_KIND_LABELS: Record<RuleKind, string> = { rename: 'Rename', merge: 'Merge', ignore: 'Ignore' };
export const MATCH_MODE_LABELS: Record<MatchMode, string> = { exact: 'is exactly', contains: 'contains', regex: 'matches regex' };

/** "2 installations moved, 1 removed" — what re-applying the rules did. */
export function describeEffect(e: RuleEffect): string {
  const parts: string[] = [];
  if (e.installationsRemapped) parts.push(`${e.installationsRemapped} installation${e.installationsRemapped === 1 ? '' : 's'} moved`);
  if (e.installationsRemoved) parts.push(`${e.installationsRemoved} installation${e.installationsRemoved === 1 ? '' : 's'} removed`);
  if (e.productsIgnored) parts.push(`${e.productsIgnored} product${e.productsIgnored === 1 ? '' : 's'} ignored`);
  if (e.productsRestored) parts.push(`${e.productsRestored} product${e.productsRestored === 1 ? '' : 's'} no longer ignored`);
  if (e.productsRemoved) parts.push(`${e.productsRemoved} empty product${e.productsRemoved === 1 ? '' : 's'} removed`);
  return parts.length ? parts.join(', ') : 'no installation changed';
}
