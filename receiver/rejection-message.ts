// The `error_message` of an OTLP partial success: the first reason verbatim (it names the item's position), then a
// count instead of a list, so one bad batch of thousands cannot produce a megabyte of answer.

/** Longest error message sent back to a client. */
export const MAX_REJECTION_MESSAGE_LENGTH = 512;

/** `<first reason>`, plus `(and N more rejected <noun>s)` when there were more; '' when nothing was rejected. */
export function rejectionMessage(first: string, rejected: number, noun: string): string {
  const head = first.length > MAX_REJECTION_MESSAGE_LENGTH ? first.slice(0, MAX_REJECTION_MESSAGE_LENGTH) : first;
  if (rejected <= 1) return rejected === 1 ? head : '';
  return `${head} (and ${rejected - 1} more rejected ${noun}${rejected === 2 ? '' : 's'})`;
}
