// The filter in the address bar, read and written with view/filters.ts, so `?severity=critical&since=1h` means what
// `:severity critical` and `:since 1h` mean in the terminal UI.

import { useMemo } from 'react';
import { compileFilter, filterFromQueryParams, type IncidentFilter } from '../view/filters.js';
import type { IncidentJson } from '../api/incident.js';

export type AddressFilter = {
  filter: IncidentFilter;
  /** One line per value that was refused (and left out). */
  errors: string[];
  matches: (incident: IncidentJson) => boolean;
};

export function readAddressFilter(search: string, now: number): AddressFilter {
  const { filter, errors } = filterFromQueryParams(new URLSearchParams(search).entries(), now);
  return { filter, errors, matches: compileFilter(filter, now) };
}

/** The filter of the current address; recompiled when the address changes or the clock moves (`since=1h` slides). */
export function useAddressFilter(search: string, now: number): AddressFilter {
  return useMemo(() => readAddressFilter(search, now), [search, now]);
}
