// Open incidents by affected component: which open incidents a newly opened one shares a component with
// (related-incidents.ts), without looking at every open incident.
//
//   IncidentBook.index(state) ──▶ add(state, each component)      IncidentState.addComponent ──▶ add(state, name)
//   IncidentBook.remove(state) ──▶ remove(state, each component)
//   incident opens ──▶ sharing(state) ──▶ the others on its components, in the book's order ──▶ relateOnOpen
//
// Why: relateOnOpen scanned every open incident each time one opened; with hundreds open that scan was a third of
// the decision (bench/engine.bench.ts, "100 events → decision (fires …)", CPU profile). The answer keeps the book's
// order (creation order, `bookOrder`), so the same incidents are related, in the same order, as by the scan.

/** What the index needs of an incident's state. */
export interface ComponentHolder {
  /** Its place in the book's order (IncidentBook assigns it when the incident enters the book). */
  readonly bookOrder: number;
  readonly components: ReadonlySet<string>;
}

export class ComponentIndex<T extends ComponentHolder> {
  private readonly byComponent = new Map<string, Set<T>>();

  add(holder: T, component: string): void {
    let holders = this.byComponent.get(component);
    if (holders === undefined) {
      holders = new Set();
      this.byComponent.set(component, holders);
    }
    holders.add(holder);
  }

  /** Takes `holder` out under every component it lists. */
  remove(holder: T): void {
    for (const component of holder.components) {
      const holders = this.byComponent.get(component);
      if (holders === undefined) continue;
      holders.delete(holder);
      if (holders.size === 0) this.byComponent.delete(component);
    }
  }

  /** The other holders listed under any of `holder`'s components, each once, in book order. */
  sharing(holder: T): T[] {
    const found: T[] = [];
    // Runs once per incident opening, not per event: one loop, de-duplicating across components.
    const seen = new Set<T>();
    for (const component of holder.components) {
      const holders = this.byComponent.get(component);
      if (holders === undefined) continue;
      for (const other of holders) {
        if (other === holder || seen.has(other)) continue;
        seen.add(other);
        found.push(other);
      }
    }
    return found.length > 1 ? found.sort(byBookOrder) : found;
  }

  clear(): void {
    this.byComponent.clear();
  }
}

function byBookOrder(a: ComponentHolder, b: ComponentHolder): number {
  return a.bookOrder - b.bookOrder;
}
