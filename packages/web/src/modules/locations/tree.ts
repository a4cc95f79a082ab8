import type { Location } from './types';

export interface TreeRow {
  location: Location;
  depth: number;
  hasChildren: boolean;
}

/**
 * Orders the flat list depth first with siblings by name (whatever order the server sent) and
 * returns the rows that are visible: a row shows when every ancestor is expanded. Rows whose
 * parent is missing from the list are treated as top-level.
 */
export function buildTree(list: readonly Location[]): { ordered: TreeRow[]; childrenOf: Map<string | null, Location[]> } {
  const ids = new Set(list.map((l) => l.id));
  const childrenOf = new Map<string | null, Location[]>();
  for (const l of list) {
    const parent = l.parentId && ids.has(l.parentId) ? l.parentId : null;
    const siblings = childrenOf.get(parent) ?? [];
    siblings.push(l);
    childrenOf.set(parent, siblings);
  }
  for (const siblings of childrenOf.values()) siblings.sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base', numeric: true }));
  const ordered: TreeRow[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const l of childrenOf.get(parent) ?? []) {
      const kids = childrenOf.get(l.id) ?? [];
      ordered.push({ location: l, depth, hasChildren: kids.length > 0 });
      walk(l.id, depth + 1);
    }
  };
  walk(null, 0);
  return { ordered, childrenOf };
}

/** The rows whose ancestors are all expanded. */
export function visibleRows(ordered: readonly TreeRow[], expanded: ReadonlySet<string>): TreeRow[] {
  const out: TreeRow[] = [];
  // Depth of the shallowest collapsed ancestor on the current branch; deeper rows are hidden.
  let hiddenBelow = Infinity;
  for (const row of ordered) {
    if (row.depth <= hiddenBelow) hiddenBelow = Infinity;
    if (row.depth > hiddenBelow) continue;
    out.push(row);
    if (row.hasChildren && !expanded.has(row.location.id)) hiddenBelow = row.depth;
  }
  return out;
}

/** The id and every descendant id of `id` (a location cannot move under any of them). */
export function subtreeIds(childrenOf: Map<string | null, Location[]>, id: string): Set<string> {
  const out = new Set<string>([id]);
  const stack = [id];
  while (stack.length) {
    const cur = stack.pop() as string;
    for (const c of childrenOf.get(cur) ?? []) {
      if (!out.has(c.id)) {
        out.add(c.id);
        stack.push(c.id);
      }
    }
  }
  return out;
}
