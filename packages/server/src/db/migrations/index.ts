import type { Migration } from 'kysely';
import * as foundation from './2026-11-25T1200_foundation.js';
import * as catalogAssets from './2026-11-25T1300_catalog_assets.js';
import * as custody from './2026-11-25T1400_custody.js';
import * as search from './2026-11-25T1505_search.js';
import * as sortKeys from './2026-11-25T1510_sort_keys.js';
import * as discovery from './2026-11-25T1600_discovery.js';
import * as writePath from './2026-11-25T1700_write_path.js';
import * as imports from './2026-11-25T1710_imports.js';
import * as software from './2026-11-25T1720_software.js';
import * as reconciliation from './2026-11-25T1730_reconciliation.js';
import * as softwareIndex from './2026-11-25T1740_software_index.js';
import * as discoveryLookups from './2026-11-25T1750_discovery_lookups.js';
import * as eventsOrgSeq from './2026-12-07T1400_events_org_seq.js';
import * as portableTriggers from './2026-12-08T0900_portable_triggers.js';

/** Static registry (no filesystem globbing): ISO-timestamped names, applied in order. */
export const migrations: Record<string, Migration> = {
  '2026-11-25T1200_foundation': foundation,
  '2026-11-25T1300_catalog_assets': catalogAssets,
  '2026-11-25T1400_custody': custody,
  '2026-11-25T1505_search': search,
  '2026-11-25T1510_sort_keys': sortKeys,
  '2026-11-25T1600_discovery': discovery,
  '2026-11-25T1700_write_path': writePath,
  '2026-11-25T1710_imports': imports,
  '2026-11-25T1720_software': software,
  '2026-11-25T1730_reconciliation': reconciliation,
  '2026-11-25T1740_software_index': softwareIndex,
  '2026-11-25T1750_discovery_lookups': discoveryLookups,
  '2026-12-07T1400_events_org_seq': eventsOrgSeq,
  '2026-12-08T0900_portable_triggers': portableTriggers,
};
